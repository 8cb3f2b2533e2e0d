//! Libraries and the task registry.
//!
//! Tasks are registered under `(library, task id)` through the C ABI's
//! [`legate_abi::raw::RawRegistrar`] — the same path whether the library is linked
//! into this binary or loaded as a separate extension module — so there is one
//! registry, owned by the one runtime.

use crate::error::{LegateError, Result};
use crate::mapping::Mapper;
use legate_abi::raw::{RawRegistrar, RawTaskInfo, TaskFn};
use legate_abi::{Registrar, Task, ABI_VERSION};
use rustc_hash::FxHashMap;
use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::{Arc, RwLock};

/// A registered task: its name and variants (indexed by `VariantKind`).
#[derive(Clone)]
pub struct TaskEntry {
    pub name: Arc<str>,
    pub variants: [Option<TaskFn>; 3],
}

pub(crate) struct LibraryEntry {
    pub name: Arc<str>,
    /// FxHash: every launch looks its task up here, and SipHash of the id cost more
    /// than the rest of the lookup.
    pub tasks: FxHashMap<u32, TaskEntry>,
    pub mapper: Option<Arc<dyn Mapper>>,
}

#[derive(Default)]
pub struct Registry {
    libraries: Vec<LibraryEntry>,
    by_name: HashMap<String, u32>,
}

/// A handle to a library of tasks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Library {
    id: u32,
    name: Arc<str>,
}

impl Library {
    pub fn id(&self) -> u32 {
        self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Registry {
    /// Creates the library, or returns the existing one of that name.
    pub(crate) fn create_library(&mut self, name: &str, mapper: Option<Arc<dyn Mapper>>) -> Library {
        if let Some(&id) = self.by_name.get(name) {
            let lib = &mut self.libraries[id as usize];
            if mapper.is_some() {
                lib.mapper = mapper;
            }
            return Library { id, name: lib.name.clone() };
        }
        let id = self.libraries.len() as u32;
        let name: Arc<str> = name.into();
        self.libraries.push(LibraryEntry { name: name.clone(), tasks: FxHashMap::default(), mapper });
        self.by_name.insert(name.to_string(), id);
        Library { id, name }
    }

    pub(crate) fn library_by_id(&self, id: u32) -> Option<Library> {
        self.libraries.get(id as usize).map(|lib| Library { id, name: lib.name.clone() })
    }

    pub(crate) fn find_library(&self, name: &str) -> Option<Library> {
        self.by_name.get(name).map(|&id| Library { id, name: self.libraries[id as usize].name.clone() })
    }

    pub(crate) fn task(&self, library: &Library, task_id: u32) -> Result<(TaskEntry, Option<Arc<dyn Mapper>>)> {
        let lib = self
            .libraries
            .get(library.id as usize)
            .ok_or_else(|| LegateError::UnknownLibrary(library.name.to_string()))?;
        let entry = lib
            .tasks
            .get(&task_id)
            .cloned()
            .ok_or_else(|| LegateError::UnknownTask { library: lib.name.to_string(), task_id })?;
        Ok((entry, lib.mapper.clone()))
    }

    fn register(&mut self, library_id: u32, info: &RawTaskInfo) -> std::result::Result<(), String> {
        if info.abi_version != ABI_VERSION {
            return Err(format!("ABI version {} is not supported (the runtime speaks {ABI_VERSION})", info.abi_version));
        }
        let name = if info.name.is_null() {
            format!("task{}", info.task_id)
        } else {
            // SAFETY: the ABI promises `name_len` bytes at `name`.
            let bytes = unsafe { std::slice::from_raw_parts(info.name, info.name_len) };
            String::from_utf8(bytes.to_vec()).map_err(|_| "task name is not UTF-8".to_string())?
        };
        if info.variants.iter().all(|v| v.is_none()) {
            return Err(format!("task {name} has no variants"));
        }
        let lib = self.libraries.get_mut(library_id as usize).ok_or_else(|| format!("no library with id {library_id}"))?;
        if let Some(existing) = lib.tasks.get(&info.task_id) {
            let same = existing.variants.iter().zip(&info.variants).all(|(a, b)| a.map(|f| f as usize) == b.map(|f| f as usize));
            if same && *existing.name == format!("{}.{}", lib.name, name) {
                return Ok(()); // registering the very same task again is harmless
            }
            // Most often two libraries chose one name (a copy of a template that kept
            // its LIBRARY_NAME): running either's tasks for the other would be wrong.
            return Err(format!(
                "library {lib_name} already has task id {id} ({existing}), registered by other code than this {lib_name}.{name}: \
                 two libraries use the name {lib_name:?}, or one library gives two tasks id {id}; library names must be \
                 unique in a process (rename your copy's LIBRARY_NAME) and task ids unique in a library",
                lib_name = lib.name,
                id = info.task_id,
                existing = existing.name,
            ));
        }
        lib.tasks.insert(info.task_id, TaskEntry { name: format!("{}.{}", lib.name, name).into(), variants: info.variants });
        Ok(())
    }
}

/// The ABI entry point behind every [`RawRegistrar`]; `runtime_data` is the registry.
unsafe extern "C" fn register_task_abi(
    runtime_data: *mut c_void,
    library_id: u32,
    info: *const RawTaskInfo,
    err: *mut u8,
    err_cap: usize,
) -> i64 {
    // SAFETY: registrars are only made by `registrar()` below, from a live registry.
    let registry = unsafe { &*(runtime_data as *const RwLock<Registry>) };
    let result = if info.is_null() {
        Err("null task info".to_string())
    } else {
        let mut reg = registry.write().unwrap_or_else(|e| e.into_inner());
        reg.register(library_id, unsafe { &*info })
    };
    match result {
        Ok(()) => 0,
        Err(msg) => {
            let n = msg.len().min(err_cap);
            if !err.is_null() && n > 0 {
                // SAFETY: the caller gave `err_cap` writable bytes.
                unsafe { std::ptr::copy_nonoverlapping(msg.as_ptr(), err, n) };
            }
            -(n.max(1) as i64)
        }
    }
}

/// A registrar for `library`; valid while the registry lives.
pub(crate) fn registrar(registry: &RwLock<Registry>, library: &Library) -> Registrar {
    let raw = RawRegistrar {
        abi_version: ABI_VERSION,
        library_id: library.id,
        runtime_data: registry as *const RwLock<Registry> as *mut c_void,
        register_task: register_task_abi,
    };
    // SAFETY: built from the live registry just above.
    unsafe { Registrar::from_raw(raw) }
}

/// Registers `T` through the ABI and maps the error.
pub(crate) fn register<T: Task>(registry: &RwLock<Registry>, library: &Library) -> Result<()> {
    registrar(registry, library)
        .register::<T>()
        .map_err(|e| LegateError::Registration { task: T::NAME.to_string(), reason: e.0 })
}
