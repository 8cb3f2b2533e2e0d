//! Logging through `tracing`: `--logging SPEC` picks levels (`info`, `legate=debug`,
//! any `EnvFilter` directive, or Legate's `category=level` pairs), `--log-to-file`
//! writes `legate_0.log` in `--logdir` instead of stderr. Off unless asked for.

use crate::config::Config;
use std::sync::Once;

static INSTALLED: Once = Once::new();

/// Installs the process's log subscriber from the configuration (once; later calls and
/// an already installed subscriber are left alone).
pub fn init(config: &Config) {
    let spec = match (&config.logging, config.verbose) {
        (Some(spec), _) => spec.replace(':', "="),
        (None, true) => "legate_core=info".to_string(),
        (None, false) if config.log_to_file => "legate_core=info".to_string(),
        (None, false) => return,
    };
    INSTALLED.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_new(&spec)
            .unwrap_or_else(|e| {
                eprintln!("legate: --logging {spec:?} is not understood ({e}); logging at info level");
                tracing_subscriber::EnvFilter::new("info")
            });
        let builder = tracing_subscriber::fmt().with_env_filter(filter).with_thread_names(true);
        let result = if config.log_to_file {
            let dir = config.logdir.clone().unwrap_or_else(|| std::path::PathBuf::from("."));
            match std::fs::create_dir_all(&dir).and_then(|_| std::fs::File::create(dir.join("legate_0.log"))) {
                Ok(file) => builder.with_ansi(false).with_writer(std::sync::Mutex::new(file)).try_init(),
                Err(e) => {
                    eprintln!("legate: cannot write {}: {e}; logging to stderr", dir.join("legate_0.log").display());
                    builder.with_writer(std::io::stderr).try_init()
                }
            }
        } else {
            builder.with_writer(std::io::stderr).try_init()
        };
        // Another subscriber (an embedding application's) wins; that is fine.
        let _ = result;
    });
}
