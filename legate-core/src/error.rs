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

pub(crate) fn invalid(msg: impl Into<String>) -> LegateError {
    LegateError::InvalidArgument(msg.into())
}
