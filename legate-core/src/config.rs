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

/// Flags that take a value. Kept next to [`SWITCHES`] so the parser knows whether to
/// consume the next token; `Config::set_value` must handle each of them.
const VALUED: &[&str] = &[
    "--cpus",
    "--gpus",
    "--omps",
    "--ompthreads",
    "--utility",
    "--sysmem",
    "--numamem",
    "--fbmem",
    "--zcmem",
    "--regmem",
    "--eager-alloc-percentage",
    "--nodes",
    "--ranks-per-node",
    "--logdir",
    "--logging",
    // Driver flags that mean nothing to the runtime, accepted so that one flag string
    // serves both the `legate` driver and a plain `python` run.
    "--launcher",
    "--launcher-extra",
    "--module",
    "--patch",
];

/// Flags that take no value (an explicit `--flag=false` is accepted too).
const SWITCHES: &[&str] = &[
    "--profile",
    "--dataflow",
    "--event",
    "--show-progress",
    "--progress",
    "--mem-usage",
    "--log-to-file",
    "--verbose",
    // Driver-only switches, accepted and ignored.
    "--dry-run",
    "--info",
    "--version",
    "--gdb",
    "--cuda-gdb",
    "--valgrind",
    "--memcheck",
    "--freeze-on-error",
    "--spy",
];

impl Default for Config {
    /// Legate's fixed defaults, without looking at the machine (see [`Config::detect`]).
    fn default() -> Config {
        Config::legate_defaults()
    }
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
        let local_ranks = ["OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_STEP_TASKS_PER_NODE"]
            .iter()
            .find_map(|v| var(v)?.split(['(', ',']).next()?.trim().parse::<usize>().ok())
            .unwrap_or(1)
            .max(1);
        if auto && local_ranks > 1 {
            config.cpus = (config.cpus / local_ranks).max(1);
            config.sysmem_mb = (config.sysmem_mb / local_ranks as u64).max(1);
        }

        // Each variable overrides one setting; `set!` keeps the name-to-field mapping on
        // one line per variable.
        macro_rules! set {
            ($name:literal => $field:ident) => {
                if let Some(value) = var($name) {
                    config.$field = env_number($name, &value)?;
                }
            };
        }
        set!("LEGATE_CPUS" => cpus);
        set!("LEGATE_GPUS" => gpus);
        set!("LEGATE_OMP_PROCS" => omps);
        set!("LEGATE_OMP_THREADS" => ompthreads);
        set!("LEGATE_UTILITY_CORES" => utility);
        set!("LEGATE_SYSMEM" => sysmem_mb);
        set!("LEGATE_NUMAMEM" => numamem_mb);
        set!("LEGATE_FBMEM" => fbmem_mb);
        set!("LEGATE_ZCMEM" => zcmem_mb);
        set!("LEGATE_REGMEM" => regmem_mb);
        set!("LEGATE_EAGER_ALLOC_PERCENTAGE" => eager_alloc_percentage);
        set!("LEGATE_MIN_OMP_CHUNK" => min_omp_chunk);
        set!("LEGATE_MIN_GPU_CHUNK" => min_gpu_chunk);
        set!("LEGATE_WINDOW_SIZE" => window_size);
        set!("LEGATE_MAX_PENDING_EXCEPTIONS" => max_pending_exceptions);
        if let Some(value) = var("LEGATE_TEST") {
            config.test = env_bool("LEGATE_TEST", &value)?;
        }
        if let Some(value) = var("LEGATE_INLINE_SMALL_TASKS") {
            config.inline_small_tasks = env_bool("LEGATE_INLINE_SMALL_TASKS", &value)?;
        }
        if let Some(value) = var("LEGATE_PIN_WORKERS") {
            config.pin_workers = env_bool("LEGATE_PIN_WORKERS", &value)?;
        }
        if let Some(value) = var("LEGATE_CONSENSUS") {
            config.consensus = env_bool("LEGATE_CONSENSUS", &value)?;
        }
        // Test mode splits even tiny stores so tests exercise partitioning, unless the
        // chunk size is given explicitly.
        match var("LEGATE_MIN_CPU_CHUNK") {
            Some(value) => config.min_cpu_chunk = env_number("LEGATE_MIN_CPU_CHUNK", &value)?,
            None if config.test => config.min_cpu_chunk = 2,
            None => {}
        }

        match var("LEGATE_CONFIG") {
            // apply_flags validates the final result.
            Some(flags) => config.apply_flags(&flags)?,
            None => config.validate()?,
        }
        Ok(config)
    }

    /// Applies a flag string such as `--cpus 2 --sysmem=1000 --profile` on top of this
    /// configuration. Tokens are separated by whitespace; single or double quotes group
    /// a value containing spaces. On error the configuration is left unchanged.
    pub fn apply_flags(&mut self, flags: &str) -> Result<(), ConfigError> {
        let tokens = split_flags(flags)?;
        let mut next = self.clone();
        let mut rest = tokens.iter().map(String::as_str).peekable();
        while let Some(token) = rest.next() {
            let (name, inline) = match token.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (token, None),
            };
            if !name.starts_with("--") {
                return Err(if name.starts_with('-') {
                    ConfigError::UnknownFlag(name.to_string())
                } else {
                    ConfigError::UnexpectedArgument(token.to_string())
                });
            }
            if VALUED.contains(&name) {
                let missing = || ConfigError::MissingValue {
                    flag: name.to_string(),
                };
                let value = match inline {
                    Some("") => return Err(missing()),
                    Some(value) => value,
                    // A following flag is not a value, except for --launcher-extra,
                    // whose values are themselves launcher flags.
                    None => match rest.peek() {
                        Some(v) if name == "--launcher-extra" || !v.starts_with("--") => {
                            rest.next().ok_or_else(missing)?
                        }
                        _ => return Err(missing()),
                    },
                };
                next.set_value(name, value)?;
            } else if SWITCHES.contains(&name) {
                let on = match inline {
                    None => true,
                    Some(value) => parse_bool(value).ok_or_else(|| ConfigError::InvalidValue {
                        flag: name.to_string(),
                        value: value.to_string(),
                        reason: "expected on/off, true/false, yes/no or 1/0".to_string(),
                    })?,
                };
                next.set_switch(name, on)?;
            } else {
                return Err(ConfigError::UnknownFlag(name.to_string()));
            }
        }
        next.validate()?;
        *self = next;
        Ok(())
    }

    /// Sets the setting of a flag that takes a value.
    fn set_value(&mut self, flag: &str, value: &str) -> Result<(), ConfigError> {
        match flag {
            "--cpus" => self.cpus = flag_number(flag, value)?,
            "--gpus" => self.gpus = flag_number(flag, value)?,
            "--omps" => self.omps = flag_number(flag, value)?,
            "--ompthreads" => self.ompthreads = flag_number(flag, value)?,
            "--utility" => self.utility = flag_number(flag, value)?,
            "--sysmem" => self.sysmem_mb = flag_number(flag, value)?,
            "--numamem" => self.numamem_mb = flag_number(flag, value)?,
            "--fbmem" => self.fbmem_mb = flag_number(flag, value)?,
            "--zcmem" => self.zcmem_mb = flag_number(flag, value)?,
            "--regmem" => self.regmem_mb = flag_number(flag, value)?,
            "--eager-alloc-percentage" => self.eager_alloc_percentage = flag_number(flag, value)?,
            "--nodes" => self.nodes = flag_number(flag, value)?,
            "--ranks-per-node" => self.ranks_per_node = flag_number(flag, value)?,
            "--logdir" => self.logdir = Some(PathBuf::from(value)),
            "--logging" => self.logging = Some(value.to_string()),
            "--launcher" | "--launcher-extra" | "--module" | "--patch" => {}
            // Unreachable while VALUED and this match agree (a test checks they do).
            _ => return Err(ConfigError::UnknownFlag(flag.to_string())),
        }
        Ok(())
    }

    /// Sets the setting of a flag that takes no value.
    fn set_switch(&mut self, flag: &str, on: bool) -> Result<(), ConfigError> {
        match flag {
            "--profile" => self.profile = on,
            "--dataflow" => self.dataflow = on,
            "--event" => self.event = on,
            "--show-progress" | "--progress" => self.show_progress = on,
            "--mem-usage" => self.mem_usage = on,
            "--log-to-file" => self.log_to_file = on,
            "--verbose" => self.verbose = on,
            "--dry-run" | "--info" | "--version" | "--gdb" | "--cuda-gdb" | "--valgrind"
            | "--memcheck" | "--freeze-on-error" | "--spy" => {}
            // Unreachable while SWITCHES and this match agree (a test checks they do).
            _ => return Err(ConfigError::UnknownFlag(flag.to_string())),
        }
        Ok(())
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

/// Splits a flag string into tokens at whitespace, keeping quoted text together (and
/// dropping the quotes), as a shell would for simple cases.
fn split_flags(flags: &str) -> Result<Vec<String>, ConfigError> {
    let mut tokens = Vec::new();
    let mut token = String::new();
    // Whether a token has started: distinguishes `""` (an empty token) from nothing.
    let mut in_token = false;
    let mut quote = None;
    for c in flags.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => token.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                in_token = true;
            }
            None if c.is_whitespace() => {
                if in_token {
                    tokens.push(std::mem::take(&mut token));
                    in_token = false;
                }
            }
            None => {
                token.push(c);
                in_token = true;
            }
        }
    }
    if quote.is_some() {
        return Err(ConfigError::UnterminatedQuote(flags.to_string()));
    }
    if in_token {
        tokens.push(token);
    }
    Ok(tokens)
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

fn flag_number<T: FromStr>(flag: &str, value: &str) -> Result<T, ConfigError> {
    parse_number(value).map_err(|reason| ConfigError::InvalidValue {
        flag: flag.to_string(),
        value: value.to_string(),
        reason,
    })
}

fn env_number<T: FromStr>(var: &str, value: &str) -> Result<T, ConfigError> {
    parse_number(value).map_err(|reason| ConfigError::InvalidEnv {
        var: var.to_string(),
        value: value.to_string(),
        reason,
    })
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
             --valgrind --memcheck --freeze-on-error --spy --cpus 3",
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
        // Guards the VALUED/SWITCHES tables against drifting from the setters.
        for flag in VALUED {
            let value = if matches!(
                *flag,
                "--logdir"
                    | "--logging"
                    | "--launcher"
                    | "--launcher-extra"
                    | "--module"
                    | "--patch"
            ) {
                "x"
            } else {
                "1"
            };
            assert!(flags(&format!("{flag} {value}")).is_ok(), "{flag}");
        }
        for flag in SWITCHES {
            assert!(flags(flag).is_ok(), "{flag}");
        }
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
        assert_eq!(
            split_flags("--x='a b' \"\" c").unwrap(),
            ["--x=a b", "", "c"]
        );
        assert_eq!(split_flags("").unwrap(), Vec::<String>::new());
        assert!(split_flags("\"open").is_err());
    }
}
