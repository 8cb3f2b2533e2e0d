//! Dependence analysis: which earlier point tasks a new point task must wait for.
//!
//! Each storage keeps an [`AccessList`] of recent accesses: (point task, exact storage
//! elements, privilege). A new access conflicts with an earlier one when their element
//! sets intersect ([`Footprint::intersects`], exact) and their privileges conflict
//! (anything with a write; a read with a reduction; reductions with different
//! operators). Conflicts become edges in the executor's graph and in the observable
//! [`DependenceLog`]. A write that covers an earlier access makes it redundant (later
//! accesses reach it through the write), and finished tasks need no edges, so the
//! lists stay short however long the program runs.

use crate::executor::TaskNode;
use crate::footprint::Footprint;
use crate::shape::Point;
use legate_abi::ReductionOp;
use std::collections::VecDeque;
use std::sync::Arc;

/// How a task uses a store argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Privilege {
    Read,
    Write,
    Reduce(ReductionOp),
}

impl Privilege {
    pub fn conflicts_with(&self, other: &Privilege) -> bool {
        match (self, other) {
            (Privilege::Read, Privilege::Read) => false,
            (Privilege::Reduce(a), Privilege::Reduce(b)) => a != b,
            _ => true,
        }
    }

    pub fn name(&self) -> String {
        match self {
            Privilege::Read => "read".into(),
            Privilege::Write => "write".into(),
            Privilege::Reduce(op) => format!("reduce({op:?})"),
        }
    }
}

pub(crate) struct Access {
    pub node: Arc<TaskNode>,
    pub footprint: Footprint,
    pub privilege: Privilege,
}

/// The recent accesses of one storage.
#[derive(Default)]
pub struct AccessList {
    entries: Vec<Access>,
}

/// Past this many entries, finished tasks are dropped from a list.
const PRUNE_FINISHED_AT: usize = 16;

impl AccessList {
    /// Earlier accesses the new one must wait for.
    pub(crate) fn conflicts<'a>(&'a self, footprint: &'a Footprint, privilege: Privilege) -> impl Iterator<Item = &'a Access> + 'a {
        self.entries
            .iter()
            .filter(move |e| e.privilege.conflicts_with(&privilege) && e.footprint.intersects(footprint))
    }

    /// Records an access (after its conflicts were wired), pruning what it makes redundant.
    pub(crate) fn record(&mut self, access: Access) {
        if access.privilege == Privilege::Write {
            // Points of the same operation stay: each point of an unbound output
            // covers the whole storage, and a reader must wait for all of them.
            let (fp, op) = (&access.footprint, access.node.op_id);
            self.entries.retain(|e| e.node.op_id == op || !fp.contains(&e.footprint));
        }
        if self.entries.len() >= PRUNE_FINISHED_AT {
            self.entries.retain(|e| !e.node.is_done());
        }
        self.entries.push(access);
    }

    /// Whether every recorded access has finished; if so, forgets them (no later task
    /// needs an edge to a finished one).
    pub(crate) fn settle(&mut self) -> bool {
        if self.entries.iter().all(|e| e.node.is_done()) {
            self.entries.clear();
            return true;
        }
        false
    }

    /// Whether a task that may still write the storage touches `footprint`.
    pub(crate) fn has_pending_writer(&self, footprint: &Footprint) -> bool {
        self.entries.iter().any(|e| e.privilege != Privilege::Read && !e.node.is_done() && e.footprint.intersects(footprint))
    }

    /// Tasks that may still write elements of `footprint`.
    pub(crate) fn pending_writers_of(&self, footprint: &Footprint) -> Vec<Arc<TaskNode>> {
        self.entries
            .iter()
            .filter(|e| e.privilege != Privilege::Read && !e.node.is_done() && e.footprint.intersects(footprint))
            .map(|e| e.node.clone())
            .collect()
    }

    /// Tasks that may still write the storage (a reader of its contents waits for these).
    pub(crate) fn pending_writers(&self) -> Vec<Arc<TaskNode>> {
        self.entries
            .iter()
            .filter(|e| e.privilege != Privilege::Read && !e.node.is_done())
            .map(|e| e.node.clone())
            .collect()
    }

    /// Every task still touching the storage (a writer of its contents waits for these).
    pub(crate) fn pending(&self) -> Vec<Arc<TaskNode>> {
        self.entries.iter().filter(|e| !e.node.is_done()).map(|e| e.node.clone()).collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// One point task, as named in dependence graphs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PointId {
    pub op_id: u64,
    pub color: Point,
}

/// An edge of the dependence graph: `to` waits for `from` because of `storage`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DependenceEdge {
    pub from: PointId,
    pub to: PointId,
    pub storage: u64,
    pub from_privilege: Privilege,
    pub to_privilege: Privilege,
}

/// An operation as recorded for dataflow graphs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpRecord {
    pub op_id: u64,
    pub name: std::sync::Arc<str>,
    pub points: u64,
    /// (storage id, privilege) of each argument (inline: every launch makes one).
    pub args: smallvec::SmallVec<[(u64, Privilege); 4]>,
}

/// The most recent operations and edges (bounded, for tests and `--dataflow`).
pub struct DependenceLog {
    capacity: usize,
    pub(crate) edges: VecDeque<DependenceEdge>,
    pub(crate) ops: VecDeque<OpRecord>,
}

impl DependenceLog {
    pub fn new(capacity: usize) -> DependenceLog {
        DependenceLog { capacity, edges: VecDeque::new(), ops: VecDeque::new() }
    }

    pub(crate) fn edge(&mut self, e: DependenceEdge) {
        if self.edges.len() == self.capacity {
            self.edges.pop_front();
        }
        self.edges.push_back(e);
    }

    pub(crate) fn op(&mut self, r: OpRecord) {
        if self.ops.len() == self.capacity {
            self.ops.pop_front();
        }
        self.ops.push_back(r);
    }

    pub fn clear(&mut self) {
        self.edges.clear();
        self.ops.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use legate_abi::ReductionOp::*;

    #[test]
    fn privilege_conflicts() {
        use Privilege::*;
        assert!(!Read.conflicts_with(&Read));
        assert!(Read.conflicts_with(&Write) && Write.conflicts_with(&Read) && Write.conflicts_with(&Write));
        assert!(Read.conflicts_with(&Reduce(Add)));
        assert!(!Reduce(Add).conflicts_with(&Reduce(Add)));
        assert!(Reduce(Add).conflicts_with(&Reduce(Max)));
    }
}
