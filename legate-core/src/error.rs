//! Errors the runtime returns to its caller. Bad input is always one of these, never a
//! panic or an abort, and after any of them the runtime keeps working.

use crate::memory::MemoryKind;

#[derive(thiserror::Error, Debug, Clone, PartialEq)]
pub enum LegateError {
    #[error(
        "out of {kind:?} memory: {requested} bytes requested with {used} of {limit} bytes in use; \
         raise the limit with {flag} (in MB, e.g. LEGATE_CONFIG=\"{flag} 8000\")"
    )]
    OutOfMemory { kind: MemoryKind, requested: u64, used: u64, limit: u64, flag: &'static str },

    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    #[error("shape mismatch: {0}")]
    ShapeMismatch(String),

    #[error("type mismatch: {0}")]
    TypeMismatch(String),

    #[error("unknown library {0:?}; create it with Runtime::create_library first")]
    UnknownLibrary(String),

    #[error("library {library:?} has no task with id {task_id}; register it before launching")]
    UnknownTask { library: String, task_id: u32 },

    #[error("task {task} registration failed: {reason}")]
    Registration { task: String, reason: String },

    #[error("task {task} (point {point}) failed: {message}")]
    TaskFailed { task: String, point: String, message: String },

    #[error(
        "this value was never computed: the program was interrupted before task {0} ran, \
         and the task was cancelled; compute it again"
    )]
    Cancelled(String),

    #[error("{0} task errors: first: {1}")]
    ManyTaskErrors(usize, Box<LegateError>),

    #[error("rank {rank}: {message}")]
    RankFailed { rank: usize, message: String },

    #[error(
        "{0}; every rank must issue the same operations in the same order \
         (a branch on the rank, or on data that differs between ranks, breaks that)"
    )]
    Diverged(String),

    #[error("configuration error: {0}")]
    Config(String),

    #[error("{0}")]
    Unsupported(String),
}

pub type Result<T, E = LegateError> = std::result::Result<T, E>;

impl LegateError {
    /// The error as bytes another rank can rebuild (see [`LegateError::from_wire`]), so
    /// that every rank of a replicated program raises the same exception.
    pub(crate) fn to_wire(&self) -> Vec<u8> {
        let (kind, parts): (u8, Vec<&str>) = match self {
            LegateError::TaskFailed { task, point, message } => (1, vec![task, point, message]),
            LegateError::InvalidArgument(m) => (2, vec![m]),
            LegateError::ShapeMismatch(m) => (3, vec![m]),
            LegateError::TypeMismatch(m) => (4, vec![m]),
            LegateError::Unsupported(m) => (5, vec![m]),
            LegateError::Cancelled(m) => (6, vec![m]),
            LegateError::Diverged(m) => (7, vec![m]),
            LegateError::ManyTaskErrors(_, first) => return first.to_wire(),
            other => return [&[0u8][..], other.to_string().as_bytes()].concat(),
        };
        let mut out = vec![kind];
        out.extend_from_slice(parts.join("\0").as_bytes());
        out
    }

    /// Rebuilds an error rank `rank` sent with [`LegateError::to_wire`].
    pub(crate) fn from_wire(rank: usize, bytes: &[u8]) -> LegateError {
        let text = String::from_utf8_lossy(bytes.get(1..).unwrap_or_default()).into_owned();
        let mut parts = text.split('\0').map(str::to_string);
        let mut next = || parts.next().unwrap_or_default();
        match bytes.first() {
            Some(1) => LegateError::TaskFailed { task: next(), point: next(), message: next() },
            Some(2) => LegateError::InvalidArgument(next()),
            Some(3) => LegateError::ShapeMismatch(next()),
            Some(4) => LegateError::TypeMismatch(next()),
            Some(5) => LegateError::Unsupported(next()),
            Some(6) => LegateError::Cancelled(next()),
            Some(7) => LegateError::Diverged(next()),
            _ => LegateError::RankFailed { rank, message: text },
        }
    }
}

/// A shape of `found` dimensions, past [`crate::LEGATE_MAX_DIM`]: NumPy's words for it.
pub fn too_many_dims(found: usize) -> LegateError {
    invalid(format!("maximum supported dimension for an ndarray is currently {}, found {found}", crate::LEGATE_MAX_DIM))
}

pub(crate) fn invalid(msg: impl Into<String>) -> LegateError {
    LegateError::InvalidArgument(msg.into())
}
