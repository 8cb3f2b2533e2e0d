//! The mapper: per task, which processor kind runs it (the variant), which memory its
//! stores live in, and their layout. Libraries may install their own; the default
//! serves most.

use crate::memory::MemoryKind;
use crate::shape::Point;
use crate::storage::Layout;
use crate::types::Type;
use legate_abi::VariantKind;

/// What the mapper knows of the machine.
#[derive(Clone, Copy, Debug)]
pub struct Machine {
    pub cpus: usize,
    pub omps: usize,
    pub gpus: usize,
}

impl Machine {
    pub fn count(&self, kind: VariantKind) -> usize {
        match kind {
            VariantKind::Cpu => self.cpus,
            VariantKind::Omp => self.omps,
            VariantKind::Gpu => self.gpus,
        }
    }
}

pub trait Mapper: Send + Sync {
    /// Picks the variant to run among those registered (`available[kind as usize]`).
    /// Must return a kind that is available and has processors.
    fn select_variant(&self, task_name: &str, available: [bool; 3], machine: &Machine) -> Option<VariantKind>;

    /// The memory an instance lives in.
    fn memory(&self, _variant: VariantKind) -> MemoryKind {
        MemoryKind::System
    }

    /// The layout of a new instance.
    fn layout(&self, _ty: &Type, _shape: &Point) -> Layout {
        Layout::C
    }
}

/// Prefers GPU, then OMP, then CPU variants, among kinds the machine has.
#[derive(Default)]
pub struct DefaultMapper;

impl Mapper for DefaultMapper {
    fn select_variant(&self, _task_name: &str, available: [bool; 3], machine: &Machine) -> Option<VariantKind> {
        [VariantKind::Gpu, VariantKind::Omp, VariantKind::Cpu]
            .into_iter()
            .find(|&k| available[k as usize] && machine.count(k) > 0)
            .or_else(|| {
                // An OMP-only machine still runs CPU-only tasks on its OMP processors.
                (available[VariantKind::Cpu as usize] && machine.omps > 0).then_some(VariantKind::Omp)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_mapper_prefers_omp_when_present() {
        let m = DefaultMapper;
        let both = [true, true, false];
        assert_eq!(m.select_variant("t", both, &Machine { cpus: 2, omps: 1, gpus: 0 }), Some(VariantKind::Omp));
        assert_eq!(m.select_variant("t", both, &Machine { cpus: 2, omps: 0, gpus: 0 }), Some(VariantKind::Cpu));
        assert_eq!(m.select_variant("t", [true, false, false], &Machine { cpus: 0, omps: 1, gpus: 0 }), Some(VariantKind::Omp));
        assert_eq!(m.select_variant("t", [false, false, true], &Machine { cpus: 2, omps: 0, gpus: 0 }), None);
    }
}
