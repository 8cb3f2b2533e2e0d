//! The runtime configuration: how many processors of each kind to run, how much memory
//! each kind of memory may hold, and the runtime's tuning and observability switches.
//!
//! A configuration is built in layers, each overriding the last: the machine's
//! detected shape (or Legate's fixed defaults when `LEGATE_AUTO_CONFIG` is off), then
//! the per-setting `LEGATE_*` environment variables, then the flags in `LEGATE_CONFIG`
//! (the same flags the `legate` driver takes), so that an explicit flag always wins.

use std::path::PathBuf;
use std::str::FromStr;

/// The runtime configuration. Memory sizes are in MB, per rank (system memory) or per
/// device (framebuffer).
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Single-threaded CPU processors (`--cpus`).
    pub cpus: usize,
    /// GPU processors (`--gpus`).
    pub gpus: usize,
    /// OpenMP-style processors, each a group of `ompthreads` threads (`--omps`).
    pub omps: usize,
    /// Threads per OpenMP-style processor (`--ompthreads`).
    pub ompthreads: usize,
    /// Utility threads that run the runtime's own work (`--utility`).
    pub utility: usize,
    /// System memory (`--sysmem`).
    pub sysmem_mb: u64,
    /// NUMA-local memory per OpenMP-style processor (`--numamem`).
    pub numamem_mb: u64,
    /// Framebuffer memory per GPU (`--fbmem`).
    pub fbmem_mb: u64,
    /// Zero-copy (host memory visible to GPUs) memory (`--zcmem`).
    pub zcmem_mb: u64,
    /// Registered memory for networking (`--regmem`).
    pub regmem_mb: u64,
    /// Share of each memory reserved for the eager (non-deferred) allocation pool.
    pub eager_alloc_percentage: u32,
    /// Stores with fewer elements than this are not split across CPU processors.
    pub min_cpu_chunk: u64,
    /// Like `min_cpu_chunk`, for OpenMP-style processors.
    pub min_omp_chunk: u64,
    /// Like `min_cpu_chunk`, for GPUs.
    pub min_gpu_chunk: u64,
    /// How many elementwise operations a library may hold back to fuse them into one
    /// task (`legate_numeric`'s fusion window); 1 turns fusion off.
    pub window_size: usize,
    /// How many possibly-failing tasks may be in flight before the runtime waits for
    /// their outcome.
    pub max_pending_exceptions: usize,
    /// Test mode (`LEGATE_TEST`): small chunks, so that even tiny stores are split.
    pub test: bool,
    /// Run small single-point tasks on the submitting thread when nothing they touch
    /// is in flight (`LEGATE_INLINE_SMALL_TASKS`, on by default).
    pub inline_small_tasks: bool,
    /// Bind each CPU processor's thread to a core of its own when the process may use
    /// at least as many cores (`LEGATE_PIN_WORKERS`, on by default).
    pub pin_workers: bool,
    /// Check that every rank issues the same operations (`LEGATE_CONSENSUS`).
    pub consensus: bool,
    /// Whether the machine's shape was detected rather than taken from the defaults.
    pub auto_config: bool,
    /// Record a profile (`--profile`).
    pub profile: bool,
    /// Record the dataflow graph (`--dataflow`).
    pub dataflow: bool,
    /// Record the event graph (`--event`).
    pub event: bool,
    /// Print progress of task execution (`--show-progress`, `--progress`).
    pub show_progress: bool,
    /// Report memory usage (`--mem-usage`).
    pub mem_usage: bool,
    /// Where logs and profiles are written (`--logdir`); the working directory if unset.
    pub logdir: Option<PathBuf>,
    /// Write logs to files in `logdir` rather than to stderr (`--log-to-file`).
    pub log_to_file: bool,
    /// Print the configuration and launch details (`--verbose`).
    pub verbose: bool,
    /// Logger levels, e.g. `legate=debug` (`--logging`).
    pub logging: Option<String>,
    /// Nodes the program runs on (`--nodes`).
    pub nodes: usize,
    /// Ranks on each node (`--ranks-per-node`).
    pub ranks_per_node: usize,
}

/// Why a configuration could not be built. Every message names the flag or variable at
/// fault and says what would be accepted.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    #[error("unknown flag `{0}`: check its spelling against `legate --help` (in LEGATE_CONFIG or on the command line)")]
    UnknownFlag(String),
    #[error("unexpected argument `{0}` among the Legate flags: settings are written `--flag VALUE` or `--flag=VALUE`")]
    UnexpectedArgument(String),
    #[error("flag `{flag}` needs a value: write `{flag} VALUE` or `{flag}=VALUE`")]
    MissingValue { flag: String },
    #[error("invalid value `{value}` for flag `{flag}`: {reason}")]
    InvalidValue {
        flag: String,
        value: String,
        reason: String,
    },
    #[error("invalid value `{value}` for environment variable {var}: {reason}")]
    InvalidEnv {
        var: String,
        value: String,
        reason: String,
    },
    #[error("unterminated quote in the Legate flags `{0}`: close the quote or remove it")]
    UnterminatedQuote(String),
    /// Settings that parse but do not make a usable machine together.
    #[error("{0}")]
    Invalid(String),
}

/// What a setting's value is, which also decides how a flag is parsed: a
/// [`Kind::Switch`] takes no value (an explicit `--flag=false` is accepted too), every
/// other kind takes one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A non-negative integer.
    Count,
    /// An integer that is at least 1.
    Positive,
    /// A size in MB.
    Megabytes,
    /// A percentage (0 to 100).
    Percent,
    /// A duration in seconds (fractions allowed).
    Seconds,
    /// On or off.
    Switch,
    /// Free text: a path, a logger spec, launcher arguments.
    Text,
    /// One of a fixed list of words.
    Choice(&'static [&'static str]),
}

impl Kind {
    /// The kind's name as the driver sees it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Count => "count",
            Kind::Positive => "positive",
            Kind::Megabytes => "megabytes",
            Kind::Percent => "percent",
            Kind::Seconds => "seconds",
            Kind::Switch => "switch",
            Kind::Text => "text",
            Kind::Choice(_) => "choice",
        }
    }

    /// Whether a flag of this kind consumes a value.
    pub fn takes_value(self) -> bool {
        self != Kind::Switch
    }
}

/// Who reads a setting: the runtime (through [`Config`] or its own variable), the
/// `legate` driver only (the runtime accepts and ignores the flag, so that one flag
/// string serves both), or the Python packages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    Runtime,
    Driver,
    Python,
}

impl Reader {
    pub fn name(self) -> &'static str {
        match self {
            Reader::Runtime => "runtime",
            Reader::Driver => "driver",
            Reader::Python => "python",
        }
    }
}

/// One setting: its flag (if any), its `LEGATE_*` variable (if any), what it takes and
/// what it does. [`SETTINGS`] is the only list of settings: the runtime's flag parser,
/// its environment reading, the `legate` driver's parser, `legate --help` and
/// `legate --info` are all built from it.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    /// A stable key: the [`Config`] field's name for the settings it holds, and the
    /// driver's attribute name.
    pub name: &'static str,
    /// The flag (`--cpus`); `None` for environment-only settings.
    pub flag: Option<&'static str>,
    /// Other spellings of the flag (`--progress`, `-V`).
    pub aliases: &'static [&'static str],
    /// The environment variable that sets it (as a default the flags override).
    pub env: Option<&'static str>,
    pub kind: Kind,
    /// Whether the flag may be given several times, each value kept (driver flags).
    pub repeatable: bool,
    /// The help section it is listed in.
    pub group: &'static str,
    pub reader: Reader,
    /// The default as text, for settings [`Config`] does not hold (for the others it is
    /// taken from [`Config::legate_defaults`], so it cannot drift); `None`: unset.
    pub default: Option<&'static str>,
    /// How auto-configuration picks the value, when it does.
    pub detected: Option<&'static str>,
    pub help: &'static str,
}

impl Setting {
    /// Whether `spelling` names this setting's flag.
    pub fn is_flag(&self, spelling: &str) -> bool {
        self.flag == Some(spelling) || self.aliases.contains(&spelling)
    }
}

const fn setting(name: &'static str, group: &'static str, kind: Kind, help: &'static str) -> Setting {
    Setting {
        name,
        flag: None,
        aliases: &[],
        env: None,
        kind,
        repeatable: false,
        group,
        reader: Reader::Runtime,
        default: None,
        detected: None,
        help,
    }
}

/// Builders that keep each entry of [`SETTINGS`] on a few lines.
impl Setting {
    const fn flag(mut self, flag: &'static str) -> Setting {
        self.flag = Some(flag);
        self
    }
    const fn aliases(mut self, aliases: &'static [&'static str]) -> Setting {
        self.aliases = aliases;
        self
    }
    const fn env(mut self, env: &'static str) -> Setting {
        self.env = Some(env);
        self
    }
    const fn driver(mut self) -> Setting {
        self.reader = Reader::Driver;
        self
    }
    const fn python(mut self) -> Setting {
        self.reader = Reader::Python;
        self
    }
    const fn repeatable(mut self) -> Setting {
        self.repeatable = true;
        self
    }
    const fn default(mut self, default: &'static str) -> Setting {
        self.default = Some(default);
        self
    }
    const fn detected(mut self, how: &'static str) -> Setting {
        self.detected = Some(how);
        self
    }
}

/// Launchers the driver knows how to start ranks with.
pub const LAUNCHERS: &[&str] = &["none", "mpirun", "srun", "jsrun"];
/// Modules `--patch` can replace with their drop-ins.
pub const PATCHES: &[&str] = &["numpy"];

const PROCESSORS: &str = "processors";
const MEMORY: &str = "memory";
const OBSERVE: &str = "observability";
const LAUNCH: &str = "launch";
const DEBUG: &str = "debugging";
const PROGRAM: &str = "program";
const DRIVER: &str = "driver";
/// Environment-only settings of the runtime.
const TUNING: &str = "tuning";
/// Environment-only settings of the Python packages.
const PYTHON: &str = "python";

/// Every setting of Legate: flags (with the variables that give their defaults) and the
/// environment-only settings, in the order `legate --help` lists them.
pub const SETTINGS: &[Setting] = &[
    setting("cpus", PROCESSORS, Kind::Count, "CPU processors per rank")
        .flag("--cpus")
        .env("LEGATE_CPUS")
        .detected("one per core"),
    setting("gpus", PROCESSORS, Kind::Count, "GPU processors per rank").flag("--gpus").env("LEGATE_GPUS"),
    setting("omps", PROCESSORS, Kind::Count, "OpenMP-style processors per rank").flag("--omps").env("LEGATE_OMP_PROCS"),
    setting("ompthreads", PROCESSORS, Kind::Count, "threads per OpenMP-style processor")
        .flag("--ompthreads")
        .env("LEGATE_OMP_THREADS"),
    setting("utility", PROCESSORS, Kind::Count, "utility threads for the runtime's own work")
        .flag("--utility")
        .env("LEGATE_UTILITY_CORES"),
    setting("sysmem_mb", MEMORY, Kind::Megabytes, "system memory per rank")
        .flag("--sysmem")
        .env("LEGATE_SYSMEM")
        .detected("75% of available memory"),
    setting("numamem_mb", MEMORY, Kind::Megabytes, "NUMA-local memory per OpenMP-style processor")
        .flag("--numamem")
        .env("LEGATE_NUMAMEM"),
    setting("fbmem_mb", MEMORY, Kind::Megabytes, "framebuffer memory per GPU").flag("--fbmem").env("LEGATE_FBMEM"),
    setting("zcmem_mb", MEMORY, Kind::Megabytes, "zero-copy memory (host memory the GPUs can see)")
        .flag("--zcmem")
        .env("LEGATE_ZCMEM"),
    setting("regmem_mb", MEMORY, Kind::Megabytes, "registered memory for networking").flag("--regmem").env("LEGATE_REGMEM"),
    setting("eager_alloc_percentage", MEMORY, Kind::Percent, "share of each memory kept for eager allocations")
        .flag("--eager-alloc-percentage")
        .env("LEGATE_EAGER_ALLOC_PERCENTAGE"),
    setting("profile", OBSERVE, Kind::Switch, "write a profile to legate_prof/ (timeline HTML + Chrome trace for Perfetto)")
        .flag("--profile"),
    setting("dataflow", OBSERVE, Kind::Switch, "write the dataflow graph of operations (GraphViz)").flag("--dataflow"),
    setting("event", OBSERVE, Kind::Switch, "write the event graph of point tasks (GraphViz)").flag("--event"),
    setting("spy", OBSERVE, Kind::Switch, "record the dependence graphs, as Legion Spy does (same as --dataflow --event)")
        .flag("--spy"),
    setting("show_progress", OBSERVE, Kind::Switch, "show a live progress line on stderr (tasks done, in flight, rate)")
        .flag("--show-progress")
        .aliases(&["--progress"]),
    setting("mem_usage", OBSERVE, Kind::Switch, "report memory usage at exit").flag("--mem-usage"),
    setting("log_to_file", OBSERVE, Kind::Switch, "write logs to files in --logdir instead of stderr").flag("--log-to-file"),
    setting("verbose", OBSERVE, Kind::Switch, "print the configuration and the command before running").flag("--verbose"),
    setting("logging", OBSERVE, Kind::Text, "logger levels, e.g. legate=debug,mapper=info").flag("--logging"),
    setting("logdir", OBSERVE, Kind::Text, "where logs and profiles are written (default: the working directory)")
        .flag("--logdir"),
    setting("nodes", LAUNCH, Kind::Positive, "nodes to run on (detected from the launcher's variables under one)")
        .flag("--nodes"),
    setting("ranks_per_node", LAUNCH, Kind::Positive, "ranks on each node (detected from the launcher's variables under one)")
        .flag("--ranks-per-node"),
    setting("launcher", LAUNCH, Kind::Choice(LAUNCHERS), "how to start several ranks")
        .flag("--launcher")
        .driver()
        .default("none"),
    setting(
        "launcher_extra",
        LAUNCH,
        Kind::Text,
        "extra launcher arguments, split like a shell would; repeatable \
         (write --launcher-extra=--flag for a value that starts with a dash)",
    )
    .flag("--launcher-extra")
    .driver()
    .repeatable(),
    setting("gdb", DEBUG, Kind::Switch, "run under gdb").flag("--gdb").driver(),
    setting("cuda_gdb", DEBUG, Kind::Switch, "run under cuda-gdb (NVIDIA's gdb; needs it on the PATH)")
        .flag("--cuda-gdb")
        .driver(),
    setting("valgrind", DEBUG, Kind::Switch, "run under valgrind").flag("--valgrind").driver(),
    setting("memcheck", DEBUG, Kind::Switch, "run under NVIDIA's compute-sanitizer (needs it on the PATH)")
        .flag("--memcheck")
        .driver(),
    setting("freeze_on_error", DEBUG, Kind::Switch, "on an uncaught exception, print the pid and wait for a debugger")
        .flag("--freeze-on-error")
        .driver(),
    setting("module", PROGRAM, Kind::Text, "run a module like `python -m MOD`; the arguments after MOD are its own")
        .flag("--module")
        .driver(),
    setting("patch", PROGRAM, Kind::Choice(PATCHES), "run an unmodified program on the drop-in: `import numpy` loads legate_numeric")
        .flag("--patch")
        .driver()
        .repeatable(),
    setting("dry_run", DRIVER, Kind::Switch, "print the command and LEGATE_CONFIG, and run nothing").flag("--dry-run").driver(),
    setting("info", DRIVER, Kind::Switch, "print the configuration that would be used (flags and environment-only settings), and run nothing")
        .flag("--info")
        .driver(),
    setting("version", DRIVER, Kind::Switch, "print the version and exit").flag("--version").aliases(&["-V"]).driver(),
    // Environment-only settings of the runtime.
    setting("auto_config", TUNING, Kind::Switch, "size --cpus and --sysmem to this machine; off: Legate's fixed defaults")
        .env("LEGATE_AUTO_CONFIG")
        .default("on"),
    setting("min_cpu_chunk", TUNING, Kind::Count, "stores with fewer elements are not split across CPU processors (2 under LEGATE_TEST)")
        .env("LEGATE_MIN_CPU_CHUNK"),
    setting("min_omp_chunk", TUNING, Kind::Count, "like LEGATE_MIN_CPU_CHUNK, for OpenMP-style processors").env("LEGATE_MIN_OMP_CHUNK"),
    setting("min_gpu_chunk", TUNING, Kind::Count, "like LEGATE_MIN_CPU_CHUNK, for GPUs").env("LEGATE_MIN_GPU_CHUNK"),
    setting("window_size", TUNING, Kind::Positive, "elementwise operations held back to be fused into one task (1: no fusion)")
        .env("LEGATE_WINDOW_SIZE"),
    setting("max_pending_exceptions", TUNING, Kind::Count, "possibly-failing tasks in flight before the runtime waits for their outcome")
        .env("LEGATE_MAX_PENDING_EXCEPTIONS"),
    setting("test", TUNING, Kind::Switch, "test mode: tiny chunks, so that even small stores are split")
        .env("LEGATE_TEST"),
    setting("inline_small_tasks", TUNING, Kind::Switch, "run small single-point tasks on the submitting thread when nothing they touch is in flight")
        .env("LEGATE_INLINE_SMALL_TASKS"),
    setting("pin_workers", TUNING, Kind::Switch, "bind each CPU processor to a core of its own when there are enough")
        .env("LEGATE_PIN_WORKERS"),
    setting("consensus", TUNING, Kind::Switch, "check that every rank issues the same operations").env("LEGATE_CONSENSUS"),
    setting("rank_timeout", TUNING, Kind::Seconds, "how long a rank waits for a silent peer before reporting it")
        .env("LEGATE_RANK_TIMEOUT")
        .default("60"),
    setting("divergence_interval", TUNING, Kind::Positive, "operations between two checks that the ranks agree (replicated runs)")
        .env("LEGATE_DIVERGENCE_INTERVAL")
        .default("64"),
    setting("debug_plan", TUNING, Kind::Text, "print each rank's data-movement plan (any value turns it on)").env("LEGATE_DEBUG_PLAN"),
    setting("faults", TUNING, Kind::Text, "inject task failures, delays or allocation failures (tests only; rules like fail=TASK;times=1)")
        .env("LEGATE_FAULTS"),
    // Environment-only settings of the Python packages.
    setting("all_ranks_print", PYTHON, Kind::Switch, "every rank keeps its own output (default: rank 0's only)")
        .env("LEGATE_ALL_RANKS_PRINT")
        .python()
        .default("off"),
    setting("numeric_fallback", PYTHON, Kind::Switch, "legate_numeric runs NumPy for what it lacks (off: raise instead)")
        .env("LEGATE_NUMERIC_FALLBACK")
        .python()
        .default("on"),
    setting("numeric_report_coverage", PYTHON, Kind::Switch, "at exit, list the legate_numeric calls that ran natively and those that fell back")
        .env("LEGATE_NUMERIC_REPORT_COVERAGE")
        .python()
        .default("off"),
    setting("abi_path", PYTHON, Kind::Text, "where `legate --abi-path` finds the ABI crates' sources (default: written out from the installed runtime)")
        .env("LEGATE_ABI_PATH")
        .python(),
    setting("sparse_fallback", PYTHON, Kind::Switch, "legate_sparse runs SciPy for what it lacks (off: raise instead)")
        .env("LEGATE_SPARSE_FALLBACK")
        .python()
        .default("on"),
];

/// The setting a flag spelling names, if any.
pub fn setting_for_flag(spelling: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.is_flag(spelling))
}

impl Default for Config {
    /// Legate's fixed defaults, without looking at the machine (see [`Config::detect`]).
    fn default() -> Config {
        Config::legate_defaults()
    }
}

/// The number of ranks the launcher started on this node (1 when not under one), read
/// through `var` (which returns a variable's non-blank value).
fn local_ranks_from(var: impl Fn(&str) -> Option<String>) -> usize {
    ["OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_STEP_TASKS_PER_NODE"]
        .iter()
        .find_map(|v| var(v)?.split(['(', ',']).next()?.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .max(1)
}

/// [`local_ranks_from`] the process's environment.
pub(crate) fn local_ranks() -> usize {
    local_ranks_from(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
}

impl Config {
    /// Legate's documented defaults, independent of the machine.
    pub fn legate_defaults() -> Config {
        Config {
            cpus: 4,
            gpus: 0,
            omps: 0,
            ompthreads: 4,
            utility: 2,
            sysmem_mb: 4000,
            numamem_mb: 0,
            fbmem_mb: 4000,
            zcmem_mb: 32,
            regmem_mb: 0,
            eager_alloc_percentage: 50,
            min_cpu_chunk: 16384,
            min_omp_chunk: 131072,
            min_gpu_chunk: 1048576,
            window_size: 64,
            inline_small_tasks: true,
            pin_workers: true,
            max_pending_exceptions: 64,
            test: false,
            consensus: false,
            auto_config: false,
            profile: false,
            dataflow: false,
            event: false,
            show_progress: false,
            mem_usage: false,
            logdir: None,
            log_to_file: false,
            verbose: false,
            logging: None,
            nodes: 1,
            ranks_per_node: 1,
        }
    }

    /// A configuration sized to this machine: one CPU processor per hardware thread and
    /// three quarters of the currently available memory as system memory (leaving room
    /// for Python, the OS and other processes). Everything else is as in
    /// [`Config::legate_defaults`].
    pub fn detect() -> Config {
        let defaults = Config::legate_defaults();
        let cpus = std::thread::available_parallelism().map_or(defaults.cpus, |n| n.get());
        let sysmem_mb = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|text| detected_sysmem_mb(&text))
            .unwrap_or(defaults.sysmem_mb);
        Config {
            cpus,
            sysmem_mb,
            auto_config: true,
            ..defaults
        }
    }

    /// The configuration of this process, from its environment (see [`Config::from_vars`]).
    pub fn from_env() -> Result<Config, ConfigError> {
        // Lossy conversion, so that a non-UTF-8 value is reported as invalid rather than
        // silently ignored.
        Config::from_vars(|name| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned()))
    }

    /// The configuration described by the variables `get` returns: detected or default
    /// base, then `LEGATE_*` variables, then the `LEGATE_CONFIG` flag string. Empty
    /// variables count as unset. The result is validated.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let var = |name: &str| get(name).filter(|v| !v.trim().is_empty());

        let auto = match var("LEGATE_AUTO_CONFIG") {
            Some(value) => env_bool("LEGATE_AUTO_CONFIG", &value)?,
            None => true,
        };
        let mut config = if auto {
            Config::detect()
        } else {
            Config::legate_defaults()
        };
        // Ranks sharing a node share its detected cores and memory.
        let local_ranks = local_ranks_from(var);
        if auto && local_ranks > 1 {
            config.cpus = (config.cpus / local_ranks).max(1);
            config.sysmem_mb = (config.sysmem_mb / local_ranks as u64).max(1);
        }

        // Each variable of a setting the configuration holds overrides it (LEGATE_AUTO_CONFIG
        // was read above; the others are read where they are used).
        for s in SETTINGS.iter().filter(|s| s.reader == Reader::Runtime && s.name != "auto_config") {
            let Some((name, value)) = s.env.and_then(|name| Some((name, var(name)?))) else {
                continue;
            };
            config.assign(s, &value).map_err(|reason| ConfigError::InvalidEnv {
                var: name.to_string(),
                value: value.clone(),
                reason,
            })?;
        }
        // Test mode splits even tiny stores so tests exercise partitioning, unless the
        // chunk size is given explicitly.
        if config.test && var("LEGATE_MIN_CPU_CHUNK").is_none() {
            config.min_cpu_chunk = 2;
        }

        match var("LEGATE_CONFIG") {
            // apply_flags validates the final result.
            Some(flags) => config.apply_flags(&flags)?,
            None => config.validate()?,
        }
        Ok(config)
    }

    /// Applies a flag string such as `--cpus 2 --sysmem=1000 --profile` on top of this
    /// configuration. The string is split as a POSIX shell would (quotes group a value
    /// containing spaces; a backslash escapes). On error the configuration is left
    /// unchanged.
    pub fn apply_flags(&mut self, flags: &str) -> Result<(), ConfigError> {
        let tokens = split_flags(flags)?;
        let mut next = self.clone();
        let mut rest = tokens.iter().map(String::as_str).peekable();
        while let Some(token) = rest.next() {
            let (name, inline) = match token.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (token, None),
            };
            let Some(setting) = setting_for_flag(name) else {
                return Err(if name.starts_with('-') {
                    ConfigError::UnknownFlag(name.to_string())
                } else {
                    ConfigError::UnexpectedArgument(token.to_string())
                });
            };
            let value = if setting.kind.takes_value() {
                let missing = || ConfigError::MissingValue { flag: name.to_string() };
                match inline {
                    Some("") => return Err(missing()),
                    Some(value) => value,
                    // A following flag is not a value, except for --launcher-extra,
                    // whose values are themselves launcher flags.
                    None => match rest.peek() {
                        Some(v) if setting.name == "launcher_extra" || !v.starts_with("--") => {
                            rest.next().ok_or_else(missing)?
                        }
                        _ => return Err(missing()),
                    },
                }
            } else {
                inline.unwrap_or("on")
            };
            next.assign(setting, value).map_err(|reason| ConfigError::InvalidValue {
                flag: name.to_string(),
                value: value.to_string(),
                reason,
            })?;
        }
        next.validate()?;
        *self = next;
        Ok(())
    }

    /// Sets `setting` from its text. Settings the configuration does not hold (the
    /// driver's, and environment-only settings read elsewhere) are checked and dropped.
    fn assign(&mut self, setting: &Setting, value: &str) -> Result<(), String> {
        fn number<T: FromStr>(value: &str) -> Result<T, String> {
            parse_number(value)
        }
        let on = || parse_bool(value).ok_or_else(|| "expected on/off, true/false, yes/no or 1/0".to_string());
        match setting.name {
            "cpus" => self.cpus = number(value)?,
            "gpus" => self.gpus = number(value)?,
            "omps" => self.omps = number(value)?,
            "ompthreads" => self.ompthreads = number(value)?,
            "utility" => self.utility = number(value)?,
            "sysmem_mb" => self.sysmem_mb = number(value)?,
            "numamem_mb" => self.numamem_mb = number(value)?,
            "fbmem_mb" => self.fbmem_mb = number(value)?,
            "zcmem_mb" => self.zcmem_mb = number(value)?,
            "regmem_mb" => self.regmem_mb = number(value)?,
            "eager_alloc_percentage" => self.eager_alloc_percentage = number(value)?,
            "nodes" => self.nodes = number(value)?,
            "ranks_per_node" => self.ranks_per_node = number(value)?,
            "logdir" => self.logdir = Some(PathBuf::from(value)),
            "logging" => self.logging = Some(value.to_string()),
            "profile" => self.profile = on()?,
            "dataflow" => self.dataflow = on()?,
            "event" => self.event = on()?,
            "spy" => {
                let on = on()?;
                self.dataflow = on;
                self.event = on;
            }
            "show_progress" => self.show_progress = on()?,
            "mem_usage" => self.mem_usage = on()?,
            "log_to_file" => self.log_to_file = on()?,
            "verbose" => self.verbose = on()?,
            "min_cpu_chunk" => self.min_cpu_chunk = number(value)?,
            "min_omp_chunk" => self.min_omp_chunk = number(value)?,
            "min_gpu_chunk" => self.min_gpu_chunk = number(value)?,
            "window_size" => self.window_size = number(value)?,
            "max_pending_exceptions" => self.max_pending_exceptions = number(value)?,
            "test" => self.test = on()?,
            "inline_small_tasks" => self.inline_small_tasks = on()?,
            "pin_workers" => self.pin_workers = on()?,
            "consensus" => self.consensus = on()?,
            // Not held here: checked by kind, so that a flag string the runtime accepts
            // is one the driver accepts too.
            _ => check_kind(setting.kind, value)?,
        }
        Ok(())
    }

    /// The value of a setting this configuration holds, as text (`None` for the others
    /// and for unset text settings).
    pub fn value_text(&self, name: &str) -> Option<String> {
        let on = |b: bool| if b { "on" } else { "off" }.to_string();
        Some(match name {
            "cpus" => self.cpus.to_string(),
            "gpus" => self.gpus.to_string(),
            "omps" => self.omps.to_string(),
            "ompthreads" => self.ompthreads.to_string(),
            "utility" => self.utility.to_string(),
            "sysmem_mb" => self.sysmem_mb.to_string(),
            "numamem_mb" => self.numamem_mb.to_string(),
            "fbmem_mb" => self.fbmem_mb.to_string(),
            "zcmem_mb" => self.zcmem_mb.to_string(),
            "regmem_mb" => self.regmem_mb.to_string(),
            "eager_alloc_percentage" => self.eager_alloc_percentage.to_string(),
            "nodes" => self.nodes.to_string(),
            "ranks_per_node" => self.ranks_per_node.to_string(),
            "logdir" => self.logdir.as_ref()?.display().to_string(),
            "logging" => self.logging.clone()?,
            "profile" => on(self.profile),
            "dataflow" => on(self.dataflow),
            "event" => on(self.event),
            "spy" => on(self.dataflow && self.event),
            "show_progress" => on(self.show_progress),
            "mem_usage" => on(self.mem_usage),
            "log_to_file" => on(self.log_to_file),
            "verbose" => on(self.verbose),
            "min_cpu_chunk" => self.min_cpu_chunk.to_string(),
            "min_omp_chunk" => self.min_omp_chunk.to_string(),
            "min_gpu_chunk" => self.min_gpu_chunk.to_string(),
            "window_size" => self.window_size.to_string(),
            "max_pending_exceptions" => self.max_pending_exceptions.to_string(),
            "test" => on(self.test),
            "inline_small_tasks" => on(self.inline_small_tasks),
            "pin_workers" => on(self.pin_workers),
            "consensus" => on(self.consensus),
            _ => return None,
        })
    }

    /// Checks that the settings describe a machine the runtime can run on.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |msg: String| Err(ConfigError::Invalid(msg));
        if self.cpus == 0 && self.gpus == 0 && self.omps == 0 {
            return invalid(
                "at least one processor is needed: set --cpus, --omps or --gpus".to_string(),
            );
        }
        if self.omps > 0 && self.ompthreads == 0 {
            return invalid(
                "--ompthreads (LEGATE_OMP_THREADS) must be at least 1 when --omps is set"
                    .to_string(),
            );
        }
        if self.eager_alloc_percentage > 100 {
            return invalid(format!(
                "--eager-alloc-percentage (LEGATE_EAGER_ALLOC_PERCENTAGE) must be at most 100, got {}",
                self.eager_alloc_percentage
            ));
        }
        if self.sysmem_mb == 0 {
            return invalid("--sysmem (LEGATE_SYSMEM) must be at least 1 MB".to_string());
        }
        if self.nodes == 0 || self.ranks_per_node == 0 {
            return invalid("--nodes and --ranks-per-node must be at least 1".to_string());
        }
        if self.window_size == 0 {
            return invalid("LEGATE_WINDOW_SIZE must be at least 1".to_string());
        }
        Ok(())
    }

    /// The smallest store the solver splits across processors.
    pub fn min_chunk(&self) -> u64 {
        self.min_cpu_chunk
    }

    /// The processor and memory settings (and the node layout) as a flag string that
    /// [`Config::apply_flags`] reads back, e.g. to hand this configuration to a child
    /// process through `LEGATE_CONFIG`.
    pub fn to_flags(&self) -> String {
        format!(
            "--cpus {} --gpus {} --omps {} --ompthreads {} --utility {} \
             --sysmem {} --numamem {} --fbmem {} --zcmem {} --regmem {} \
             --eager-alloc-percentage {} --nodes {} --ranks-per-node {}",
            self.cpus,
            self.gpus,
            self.omps,
            self.ompthreads,
            self.utility,
            self.sysmem_mb,
            self.numamem_mb,
            self.fbmem_mb,
            self.zcmem_mb,
            self.regmem_mb,
            self.eager_alloc_percentage,
            self.nodes,
            self.ranks_per_node,
        )
    }
}

/// Three quarters of `MemAvailable` from the text of `/proc/meminfo`, in MB (at least 1).
fn detected_sysmem_mb(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kib / 1024 * 3 / 4).max(1))
}

/// Splits a flag string into tokens as a POSIX shell would (quotes, backslashes),
/// through the `shlex` crate.
fn split_flags(flags: &str) -> Result<Vec<String>, ConfigError> {
    shlex::split(flags).ok_or_else(|| ConfigError::UnterminatedQuote(flags.to_string()))
}

/// Checks a value of a setting the configuration does not hold against its kind.
fn check_kind(kind: Kind, value: &str) -> Result<(), String> {
    match kind {
        Kind::Count | Kind::Megabytes | Kind::Percent => parse_number::<u64>(value).map(|_| ()),
        Kind::Positive => match parse_number::<u64>(value)? {
            0 => Err("must be at least 1".to_string()),
            _ => Ok(()),
        },
        Kind::Seconds => match value.trim().parse::<f64>() {
            Ok(s) if s > 0.0 && s.is_finite() => Ok(()),
            _ => Err("expected a positive number of seconds".to_string()),
        },
        Kind::Switch => parse_bool(value).map(|_| ()).ok_or_else(|| "expected on/off, true/false, yes/no or 1/0".to_string()),
        Kind::Text => Ok(()),
        Kind::Choice(words) if words.contains(&value) => Ok(()),
        Kind::Choice(words) => Err(format!("expected one of {}", words.join(", "))),
    }
}

/// Parses a non-negative integer, or says why it is not one.
fn parse_number<T: FromStr>(value: &str) -> Result<T, String> {
    let value = value.trim();
    value.parse().map_err(|_| {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if value.strip_prefix('-').is_some_and(digits) {
            "must not be negative".to_string()
        } else if digits(value) {
            "is too large".to_string()
        } else {
            "expected a non-negative integer".to_string()
        }
    })
}

/// Parses the usual spellings of a boolean setting.
fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "on" | "yes" => Some(true),
        "0" | "false" | "off" | "no" => Some(false),
        _ => None,
    }
}

fn env_bool(var: &str, value: &str) -> Result<bool, ConfigError> {
    parse_bool(value).ok_or_else(|| ConfigError::InvalidEnv {
        var: var.to_string(),
        value: value.to_string(),
        reason: "expected on/off, true/false, yes/no or 1/0".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A variable lookup over a fixed set of variables.
    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    /// The configuration for `pairs` on top of the fixed defaults, so results do not
    /// depend on the test machine.
    fn fixed(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut all = vec![("LEGATE_AUTO_CONFIG", "0")];
        all.extend_from_slice(pairs);
        Config::from_vars(vars(&all))
    }

    fn flags(s: &str) -> Result<Config, ConfigError> {
        let mut config = Config::legate_defaults();
        config.apply_flags(s).map(|()| config)
    }

    #[test]
    fn legate_defaults() {
        let c = Config::legate_defaults();
        assert_eq!(
            (c.cpus, c.gpus, c.omps, c.ompthreads, c.utility),
            (4, 0, 0, 4, 2)
        );
        assert_eq!(
            (
                c.sysmem_mb,
                c.numamem_mb,
                c.fbmem_mb,
                c.zcmem_mb,
                c.regmem_mb
            ),
            (4000, 0, 4000, 32, 0)
        );
        assert_eq!(c.eager_alloc_percentage, 50);
        assert_eq!(
            (c.min_cpu_chunk, c.min_omp_chunk, c.min_gpu_chunk),
            (16384, 131072, 1048576)
        );
        assert_eq!((c.window_size, c.max_pending_exceptions), (64, 64));
        assert!(!c.test && !c.consensus && !c.auto_config);
        assert_eq!((c.nodes, c.ranks_per_node), (1, 1));
        assert_eq!(c.min_chunk(), 16384);
        assert_eq!(Config::default(), c);
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn ranks_on_one_node_share_its_detected_cores_and_memory() {
        let one = Config::from_vars(vars(&[])).unwrap();
        let four = Config::from_vars(vars(&[("OMPI_COMM_WORLD_LOCAL_SIZE", "4")])).unwrap();
        assert_eq!(four.cpus, (one.cpus / 4).max(1));
        assert!(four.sysmem_mb <= one.sysmem_mb / 4 + 64, "{} of {}", four.sysmem_mb, one.sysmem_mb);
        // Explicit settings are kept as given.
        let set = Config::from_vars(vars(&[("OMPI_COMM_WORLD_LOCAL_SIZE", "4"), ("LEGATE_CONFIG", "--cpus 3")])).unwrap();
        assert_eq!(set.cpus, 3);
    }

    #[test]
    fn detected_by_default() {
        let c = Config::from_vars(vars(&[])).unwrap();
        let cpus = std::thread::available_parallelism().map_or(4, |n| n.get());
        assert!(c.auto_config);
        assert_eq!(c.cpus, cpus);
        assert!(c.sysmem_mb >= 1);
        // Available memory moves between calls, so compare everything else.
        let d = Config::detect();
        assert_eq!(
            Config {
                sysmem_mb: d.sysmem_mb,
                ..c.clone()
            },
            d
        );
        assert_eq!(
            Config {
                cpus: 4,
                sysmem_mb: 4000,
                auto_config: false,
                ..c
            },
            Config::legate_defaults()
        );
        // Any explicit "on" spelling, and an empty value, mean detection too.
        for on in ["1", "true", "ON", ""] {
            assert!(
                Config::from_vars(vars(&[("LEGATE_AUTO_CONFIG", on)]))
                    .unwrap()
                    .auto_config
            );
        }
    }

    #[test]
    fn auto_config_off_gives_legate_defaults() {
        for off in ["0", "false", "off", "OFF", " no "] {
            let c = Config::from_vars(vars(&[("LEGATE_AUTO_CONFIG", off)])).unwrap();
            assert_eq!(c, Config::legate_defaults(), "LEGATE_AUTO_CONFIG={off}");
        }
    }

    #[test]
    fn meminfo_parsing() {
        let text =
            "MemTotal:       16000000 kB\nMemFree:         1000 kB\nMemAvailable:    8192000 kB\n";
        assert_eq!(detected_sysmem_mb(text), Some(6000));
        assert_eq!(detected_sysmem_mb("MemAvailable: 100 kB"), Some(1));
        assert_eq!(detected_sysmem_mb("MemTotal: 100 kB"), None);
        assert_eq!(detected_sysmem_mb("MemAvailable: lots"), None);
    }

    #[test]
    fn each_env_var() {
        type Getter = fn(&Config) -> u64;
        let cases: [(&str, Getter); 15] = [
            ("LEGATE_OMP_PROCS", |c| c.omps as u64),
            ("LEGATE_OMP_THREADS", |c| c.ompthreads as u64),
            ("LEGATE_UTILITY_CORES", |c| c.utility as u64),
            ("LEGATE_SYSMEM", |c| c.sysmem_mb),
            ("LEGATE_NUMAMEM", |c| c.numamem_mb),
            ("LEGATE_FBMEM", |c| c.fbmem_mb),
            ("LEGATE_ZCMEM", |c| c.zcmem_mb),
            ("LEGATE_REGMEM", |c| c.regmem_mb),
            ("LEGATE_EAGER_ALLOC_PERCENTAGE", |c| {
                c.eager_alloc_percentage as u64
            }),
            ("LEGATE_MIN_CPU_CHUNK", |c| c.min_cpu_chunk),
            ("LEGATE_MIN_OMP_CHUNK", |c| c.min_omp_chunk),
            ("LEGATE_MIN_GPU_CHUNK", |c| c.min_gpu_chunk),
            ("LEGATE_WINDOW_SIZE", |c| c.window_size as u64),
            ("LEGATE_MAX_PENDING_EXCEPTIONS", |c| {
                c.max_pending_exceptions as u64
            }),
            ("LEGATE_MIN_CPU_CHUNK", |c| c.min_chunk()),
        ];
        for (var, field) in cases {
            // 7 is no setting's default, so seeing it proves the variable was read.
            assert_ne!(field(&Config::legate_defaults()), 7, "{var}");
            let c = fixed(&[(var, "7")]).unwrap();
            assert_eq!(field(&c), 7, "{var}");
        }
        // Surrounding whitespace is tolerated.
        assert_eq!(fixed(&[("LEGATE_SYSMEM", " 123 ")]).unwrap().sysmem_mb, 123);
        // Env vars override detected values too.
        let c = Config::from_vars(vars(&[("LEGATE_SYSMEM", "77")])).unwrap();
        assert!(c.auto_config);
        assert_eq!(c.sysmem_mb, 77);

        let c = fixed(&[("LEGATE_CONSENSUS", "1")]).unwrap();
        assert!(c.consensus);
        assert_eq!(
            Config {
                consensus: false,
                ..c
            },
            Config::legate_defaults()
        );
        assert!(!fixed(&[("LEGATE_CONSENSUS", "off")]).unwrap().consensus);
        assert!(Config::legate_defaults().pin_workers);
        assert!(!fixed(&[("LEGATE_PIN_WORKERS", "0")]).unwrap().pin_workers);
        // An empty variable is unset.
        assert_eq!(
            fixed(&[("LEGATE_SYSMEM", "")]).unwrap(),
            Config::legate_defaults()
        );
    }

    #[test]
    fn test_mode_shrinks_cpu_chunk() {
        let c = fixed(&[("LEGATE_TEST", "1")]).unwrap();
        assert!(c.test);
        assert_eq!(c.min_cpu_chunk, 2);
        // Only the CPU chunk has a test-mode default.
        assert_eq!((c.min_omp_chunk, c.min_gpu_chunk), (131072, 1048576));
        let c = fixed(&[("LEGATE_TEST", "1"), ("LEGATE_MIN_CPU_CHUNK", "100")]).unwrap();
        assert_eq!(c.min_cpu_chunk, 100);
        let c = fixed(&[("LEGATE_TEST", "0")]).unwrap();
        assert!(!c.test);
        assert_eq!(c.min_cpu_chunk, 16384);
    }

    #[test]
    fn flag_forms() {
        let c = flags("--cpus 2 --gpus=1 --omps 3 --ompthreads=5 --utility 1").unwrap();
        assert_eq!(
            (c.cpus, c.gpus, c.omps, c.ompthreads, c.utility),
            (2, 1, 3, 5, 1)
        );
        let c = flags(
            "--sysmem 100 --numamem=200 --fbmem 300 --zcmem=400 --regmem 500 \
             --eager-alloc-percentage=60 --nodes 2 --ranks-per-node=4",
        )
        .unwrap();
        assert_eq!(
            (
                c.sysmem_mb,
                c.numamem_mb,
                c.fbmem_mb,
                c.zcmem_mb,
                c.regmem_mb
            ),
            (100, 200, 300, 400, 500)
        );
        assert_eq!(
            (c.eager_alloc_percentage, c.nodes, c.ranks_per_node),
            (60, 2, 4)
        );

        // Whitespace of any kind and amount separates tokens; an empty string is no-op.
        assert_eq!(flags("  \t\n").unwrap(), Config::legate_defaults());
        assert_eq!(flags("\t--cpus\n 3  ").unwrap().cpus, 3);
    }

    #[test]
    fn switches_and_text_flags() {
        let c = flags(
            "--profile --dataflow --event --show-progress --mem-usage --log-to-file \
             --verbose --logdir /tmp/logs --logging legate=debug,mapper=info",
        )
        .unwrap();
        assert!(c.profile && c.dataflow && c.event && c.show_progress && c.mem_usage);
        assert!(c.log_to_file && c.verbose);
        assert_eq!(c.logdir, Some(PathBuf::from("/tmp/logs")));
        assert_eq!(c.logging.as_deref(), Some("legate=debug,mapper=info"));

        assert!(flags("--progress").unwrap().show_progress);
        assert!(!flags("--profile --profile=off").unwrap().profile);
        assert!(flags("--verbose=yes").unwrap().verbose);
        // Quotes keep a value with spaces together.
        let c = flags("--logdir='/tmp/my logs' --logging \"legate=info\"").unwrap();
        assert_eq!(c.logdir, Some(PathBuf::from("/tmp/my logs")));
        assert_eq!(c.logging.as_deref(), Some("legate=info"));
    }

    #[test]
    fn driver_flags_are_ignored() {
        let c = flags(
            "--launcher mpirun --launcher-extra --bind-to --launcher-extra=none \
             --module pdb --patch numpy --dry-run --info --version --gdb --cuda-gdb \
             --valgrind --memcheck --freeze-on-error --cpus 3",
        )
        .unwrap();
        assert_eq!(
            c,
            Config {
                cpus: 3,
                ..Config::legate_defaults()
            }
        );
        let c = flags("--launcher-extra \"-x FOO --npernode 2\" --cpus=1").unwrap();
        assert_eq!(c.cpus, 1);
    }

    #[test]
    fn flags_override_env() {
        let c = fixed(&[
            ("LEGATE_SYSMEM", "100"),
            ("LEGATE_OMP_PROCS", "2"),
            ("LEGATE_CONFIG", "--sysmem 200 --cpus 1"),
        ])
        .unwrap();
        assert_eq!((c.sysmem_mb, c.omps, c.cpus), (200, 2, 1));
        // Flags also override the detected machine.
        let c = Config::from_vars(vars(&[("LEGATE_CONFIG", "--cpus 3 --sysmem=64")])).unwrap();
        assert!(c.auto_config);
        assert_eq!((c.cpus, c.sysmem_mb), (3, 64));
    }

    #[test]
    fn unknown_and_malformed_flags() {
        assert_eq!(
            flags("--cpu 2"),
            Err(ConfigError::UnknownFlag("--cpu".into()))
        );
        assert_eq!(
            flags("--frobnicate=1"),
            Err(ConfigError::UnknownFlag("--frobnicate".into()))
        );
        assert_eq!(flags("-c 2"), Err(ConfigError::UnknownFlag("-c".into())));
        assert_eq!(flags("4"), Err(ConfigError::UnexpectedArgument("4".into())));
        assert_eq!(
            flags("--cpus 2 3"),
            Err(ConfigError::UnexpectedArgument("3".into()))
        );
        let err = flags("--logdir 'unterminated").unwrap_err();
        assert!(matches!(err, ConfigError::UnterminatedQuote(_)));
        assert!(err.to_string().contains("close the quote"));
        let msg = ConfigError::UnknownFlag("--cpu".into()).to_string();
        assert!(msg.contains("--cpu") && msg.contains("legate --help"));
    }

    #[test]
    fn missing_values() {
        for s in [
            "--cpus",
            "--cpus --gpus 1",
            "--sysmem=",
            "--logdir",
            "--launcher",
        ] {
            let err = flags(s).unwrap_err();
            assert!(
                matches!(err, ConfigError::MissingValue { .. }),
                "{s}: {err}"
            );
        }
        let err = flags("--cpus --gpus 1").unwrap_err();
        assert_eq!(
            err,
            ConfigError::MissingValue {
                flag: "--cpus".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "flag `--cpus` needs a value: write `--cpus VALUE` or `--cpus=VALUE`"
        );
    }

    #[test]
    fn invalid_values() {
        let invalid = |flag: &str, value: &str, reason: &str| ConfigError::InvalidValue {
            flag: flag.into(),
            value: value.into(),
            reason: reason.into(),
        };
        assert_eq!(
            flags("--cpus two"),
            Err(invalid("--cpus", "two", "expected a non-negative integer"))
        );
        assert_eq!(
            flags("--cpus -1"),
            Err(invalid("--cpus", "-1", "must not be negative"))
        );
        assert_eq!(
            flags("--sysmem=-5"),
            Err(invalid("--sysmem", "-5", "must not be negative"))
        );
        assert_eq!(
            flags("--fbmem 1.5"),
            Err(invalid("--fbmem", "1.5", "expected a non-negative integer"))
        );
        assert_eq!(
            flags("--eager-alloc-percentage 99999999999"),
            Err(invalid(
                "--eager-alloc-percentage",
                "99999999999",
                "is too large"
            ))
        );
        let err = flags("--profile=maybe").unwrap_err();
        assert!(matches!(err, ConfigError::InvalidValue { ref flag, .. } if flag == "--profile"));
        assert_eq!(
            flags("--cpus x").unwrap_err().to_string(),
            "invalid value `x` for flag `--cpus`: expected a non-negative integer"
        );
    }

    #[test]
    fn invalid_env_values() {
        let err = fixed(&[("LEGATE_SYSMEM", "lots")]).unwrap_err();
        assert_eq!(
            err,
            ConfigError::InvalidEnv {
                var: "LEGATE_SYSMEM".into(),
                value: "lots".into(),
                reason: "expected a non-negative integer".into(),
            }
        );
        assert!(err.to_string().contains("LEGATE_SYSMEM"));
        let err = fixed(&[("LEGATE_OMP_PROCS", "-2")]).unwrap_err();
        assert!(err.to_string().contains("must not be negative"));
        for var in ["LEGATE_TEST", "LEGATE_CONSENSUS", "LEGATE_AUTO_CONFIG"] {
            let err = Config::from_vars(vars(&[(var, "sometimes")])).unwrap_err();
            assert!(
                matches!(err, ConfigError::InvalidEnv { var: ref v, .. } if v == var),
                "{var}"
            );
        }
        // Errors in LEGATE_CONFIG surface from from_vars.
        assert_eq!(
            fixed(&[("LEGATE_CONFIG", "--bogus")]),
            Err(ConfigError::UnknownFlag("--bogus".into()))
        );
    }

    #[test]
    fn validation() {
        let err = flags("--cpus 0").unwrap_err();
        assert_eq!(
            err.to_string(),
            "at least one processor is needed: set --cpus, --omps or --gpus"
        );
        // Other processors make zero CPUs fine.
        assert_eq!(flags("--cpus 0 --gpus 1").unwrap().cpus, 0);
        assert_eq!(flags("--cpus 0 --omps 1").unwrap().omps, 1);

        let err = flags("--omps 2 --ompthreads 0").unwrap_err();
        assert!(err.to_string().contains("--ompthreads"), "{err}");
        assert!(
            flags("--ompthreads 0").is_ok(),
            "no omps, so no threads needed"
        );

        let err = flags("--eager-alloc-percentage 101").unwrap_err();
        assert!(err.to_string().contains("at most 100"), "{err}");
        assert!(flags("--eager-alloc-percentage 100").is_ok());

        let err = flags("--sysmem 0").unwrap_err();
        assert!(err.to_string().contains("--sysmem"), "{err}");
        assert!(flags("--nodes 0").is_err());
        assert!(flags("--ranks-per-node 0").is_err());

        // Validation applies to environment-only configurations too.
        assert!(matches!(
            fixed(&[("LEGATE_SYSMEM", "0")]),
            Err(ConfigError::Invalid(_))
        ));
        assert!(matches!(
            fixed(&[("LEGATE_EAGER_ALLOC_PERCENTAGE", "150")]),
            Err(ConfigError::Invalid(_))
        ));
        assert!(matches!(
            fixed(&[("LEGATE_WINDOW_SIZE", "0")]),
            Err(ConfigError::Invalid(_))
        ));
        // ...and the flags can repair what the environment broke.
        let c = fixed(&[("LEGATE_SYSMEM", "0"), ("LEGATE_CONFIG", "--sysmem 10")]).unwrap();
        assert_eq!(c.sysmem_mb, 10);
    }

    #[test]
    fn failed_apply_leaves_config_unchanged() {
        let mut c = Config::legate_defaults();
        assert!(c.apply_flags("--cpus 9 --bogus").is_err());
        assert!(c.apply_flags("--cpus 0").is_err());
        assert_eq!(c, Config::legate_defaults());
    }

    #[test]
    fn every_listed_flag_is_handled() {
        // Every flag of the table parses with a value of its kind, and the settings the
        // configuration holds are read back.
        for s in SETTINGS {
            let value = match s.kind {
                Kind::Switch => "on",
                Kind::Choice(words) => words[words.len() - 1],
                Kind::Text => "x",
                Kind::Seconds => "1.5",
                _ => "7",
            };
            for spelling in s.flag.iter().chain(s.aliases) {
                let c = flags(&format!("{spelling}={value}")).unwrap_or_else(|e| panic!("{spelling}: {e}"));
                if let Some(text) = c.value_text(s.name) {
                    assert_eq!(text, if value == "x" && s.name == "logdir" { "x" } else { value }, "{spelling}");
                }
                if s.kind != Kind::Switch {
                    assert!(flags(&format!("{spelling} {value}")).is_ok(), "{spelling}");
                } else {
                    assert!(flags(spelling).is_ok(), "{spelling}");
                }
            }
            // Settings held by the configuration have their default there.
            let held = Config::legate_defaults().value_text(s.name).is_some() || matches!(s.name, "logging" | "logdir");
            assert!(held || s.reader != Reader::Runtime || s.default.is_some() || s.kind == Kind::Text, "{}: no default", s.name);
            assert!(!(held && s.default.is_some()), "{}: two defaults", s.name);
            assert!(s.flag.is_some() || s.env.is_some(), "{}: neither flag nor variable", s.name);
        }
        // Names, flags and variables are unique.
        let mut seen = std::collections::HashSet::new();
        for s in SETTINGS {
            assert!(seen.insert(s.name), "{}", s.name);
            for key in s.flag.iter().chain(s.aliases).chain(s.env.iter()) {
                assert!(seen.insert(key), "{key}");
            }
        }
    }

    #[test]
    fn table_defaults_match_the_code_that_reads_them() {
        let get = |name: &str| SETTINGS.iter().find(|s| s.name == name).unwrap();
        assert_eq!(
            get("rank_timeout").default.unwrap().parse::<u64>().unwrap(),
            crate::replicate::transport::DEFAULT_TIMEOUT.as_secs()
        );
        assert_eq!(
            get("divergence_interval").default.unwrap().parse::<u64>().unwrap(),
            crate::replicate::divergence::DEFAULT_INTERVAL
        );
        assert_eq!(get("launcher").default, Some(LAUNCHERS[0]));
        // Environment-only settings are checked when the configuration is read.
        assert!(matches!(fixed(&[("LEGATE_RANK_TIMEOUT", "soon")]), Err(ConfigError::InvalidEnv { .. })));
        assert!(fixed(&[("LEGATE_RANK_TIMEOUT", "2.5"), ("LEGATE_DEBUG_PLAN", "1")]).is_ok());
    }

    #[test]
    fn spy_version_and_choices() {
        let c = flags("--spy").unwrap();
        assert!(c.dataflow && c.event);
        assert!(flags("-V").is_ok() && flags("--version").is_ok());
        assert!(flags("--launcher srun --patch numpy").is_ok());
        let err = flags("--launcher qsub").unwrap_err();
        assert!(err.to_string().contains("expected one of none, mpirun, srun, jsrun"), "{err}");
        assert!(matches!(flags("--nodes=0"), Err(ConfigError::InvalidValue { .. }) | Err(ConfigError::Invalid(_))));
    }

    #[test]
    fn to_flags_round_trips() {
        let c = Config {
            cpus: 3,
            gpus: 2,
            omps: 1,
            ompthreads: 6,
            utility: 1,
            sysmem_mb: 1234,
            numamem_mb: 55,
            fbmem_mb: 8000,
            zcmem_mb: 64,
            regmem_mb: 7,
            eager_alloc_percentage: 30,
            nodes: 2,
            ranks_per_node: 8,
            ..Config::legate_defaults()
        };
        let text = c.to_flags();
        let mut d = Config::legate_defaults();
        d.apply_flags(&text).unwrap();
        assert_eq!(d, c, "{text}");
        // Through the environment as well.
        let e = fixed(&[("LEGATE_CONFIG", &text)]).unwrap();
        assert_eq!(e, c);
        // The defaults round-trip too.
        let mut d = Config::legate_defaults();
        d.apply_flags(&Config::legate_defaults().to_flags())
            .unwrap();
        assert_eq!(d, Config::legate_defaults());
    }

    #[test]
    fn tokenizer() {
        assert_eq!(split_flags("a  b\tc").unwrap(), ["a", "b", "c"]);
        assert_eq!(split_flags("--x='a b' \"\" c").unwrap(), ["--x=a b", "", "c"]);
        assert_eq!(split_flags("").unwrap(), Vec::<String>::new());
        assert!(split_flags("\"open").is_err());
        // As a POSIX shell splits: quotes inside quotes, backslash escapes.
        assert_eq!(split_flags(r#"--logging "a 'b' c" d\ e"#).unwrap(), ["--logging", "a 'b' c", "d e"]);
        assert_eq!(split_flags(r#"'it'"'"'s'"#).unwrap(), ["it's"]);
        let c = flags(r#"--logdir "/tmp/a \"quoted\" dir""#).unwrap();
        assert_eq!(c.logdir, Some(PathBuf::from("/tmp/a \"quoted\" dir")));
    }
}
