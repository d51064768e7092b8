//! `agora._agora`: the native half of the Python package `agora`.
//!
//! Bindings only: every function here converts Python values to the
//! library's options, calls the library with the GIL released, and converts
//! the result (or the error) back. The model, the tables and the messages
//! all come from the `agora` crate; `agora/__init__.py` builds DataFrames.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use agora_core::commands::{self, Observer};
use agora_core::output::table::{Column, Columns};
use agora_core::runner::Prepared;
use agora_core::scenario::{self, Scenario, ScenarioError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyType};

/// A library error as the Python exception of its kind: `InputError` (a
/// `ValueError`) for bad input, the CLI's exit code 2, `AgoraError` for the
/// rest; the message is the one the CLI prints after `error: `.
fn raise(py: Python<'_>, error: agora_core::Error) -> PyErr {
    let class = if error.exit_code() == 2 {
        "InputError"
    } else {
        "AgoraError"
    };
    match py
        .import("agora._errors")
        .and_then(|m| m.getattr(class))
        .and_then(|c| c.cast_into::<PyType>().map_err(PyErr::from))
    {
        Ok(class) => PyErr::from_type(class, error.to_string()),
        Err(import) => import,
    }
}

/// A scenario, resolved (its `base` chain merged, defaults filled in).
#[pyclass(module = "agora._agora", name = "Scenario", frozen, from_py_object)]
#[derive(Clone)]
struct PyScenario {
    inner: Scenario,
}

#[pymethods]
impl PyScenario {
    /// A scenario file or a built-in name, loaded and checked.
    #[staticmethod]
    fn load(py: Python<'_>, reference: &str) -> PyResult<PyScenario> {
        let inner = py
            .detach(|| scenario::load(Path::new(""), reference))
            .map_err(|e| raise(py, e.into()))?;
        Ok(PyScenario { inner })
    }

    /// A scenario from RON text; `base` and edge lists relative to `folder`.
    #[staticmethod]
    fn from_ron(py: Python<'_>, text: &str, folder: PathBuf) -> PyResult<PyScenario> {
        let inner = scenario::from_ron(text, &folder).map_err(|e| raise(py, e.into()))?;
        Ok(PyScenario { inner })
    }

    /// A copy with `(path, value)` assignments applied, not yet checked.
    fn with_set(&self, py: Python<'_>, assignments: Vec<(String, String)>) -> PyResult<PyScenario> {
        let mut inner = self.inner.clone();
        for (path, value) in assignments {
            scenario::set_path(&mut inner, &path, &value).map_err(|error| {
                let assignment = format!("{path}={value}");
                raise(py, ScenarioError::Set { assignment, error }.into())
            })?;
        }
        Ok(PyScenario { inner })
    }

    /// Check every value's range and load the edge-list files it names.
    fn check(&self, py: Python<'_>) -> PyResult<()> {
        let inner = self.inner.clone();
        py.detach(|| -> agora_core::Result<()> {
            scenario::validate(&inner)?;
            Prepared::new(inner)?;
            Ok(())
        })
        .map_err(|e| raise(py, e))
    }

    /// The resolved scenario as RON (what `agora check` prints).
    fn to_ron(&self) -> String {
        self.inner.to_ron()
    }

    #[getter]
    fn name(&self) -> String {
        self.inner.name.clone()
    }

    #[getter]
    fn steps(&self) -> u32 {
        self.inner.steps
    }

    #[getter]
    fn replicates(&self) -> u32 {
        self.inner.replicates
    }

    #[getter]
    fn seed(&self) -> u64 {
        self.inner.seed
    }

    #[getter]
    fn start(&self) -> String {
        self.inner.start.clone()
    }

    /// Every parameter path.
    fn paths(&self) -> Vec<String> {
        self.inner.all_paths()
    }

    fn __repr__(&self) -> String {
        format!(
            "Scenario(name={:?}, steps={}, replicates={}, seed={})",
            self.inner.name, self.inner.steps, self.inner.replicates, self.inner.seed
        )
    }
}

/// Counts runs for the progress display and keeps the notes of loading.
#[derive(Default)]
struct Progress {
    total: AtomicU64,
    done: AtomicU64,
    notes: Mutex<Vec<String>>,
}

impl Observer for Progress {
    fn note(&self, message: &str) {
        self.notes.lock().expect("not poisoned").push(message.to_string());
    }
    fn start(&self, runs: u64) {
        self.total.store(runs, Ordering::Relaxed);
    }
    fn run_done(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }
}

/// Run `work` on a thread of its own while this one, every 100 ms, shows
/// progress and checks for Ctrl-C. On a signal `stop` is set (the runner
/// starts no further job), the work is waited for, and the signal's
/// exception (KeyboardInterrupt) is raised.
fn interruptible<T: Send>(
    py: Python<'_>,
    progress: &Progress,
    show: Option<&Py<PyAny>>,
    stop: &AtomicBool,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    let report = |py: Python<'_>| -> PyResult<()> {
        match show {
            Some(show) => show
                .call1(
                    py,
                    (
                        progress.done.load(Ordering::Relaxed),
                        progress.total.load(Ordering::Relaxed),
                    ),
                )
                .map(drop),
            None => Ok(()),
        }
    };
    let outcome = py.detach(|| {
        std::thread::scope(|scope| {
            let (sender, receiver) = mpsc::channel();
            let worker = scope.spawn(move || sender.send(work()));
            loop {
                match receiver.recv_timeout(Duration::from_millis(100)) {
                    Ok(value) => return Ok(value),
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    Err(mpsc::RecvTimeoutError::Disconnected) => {
                        // The work panicked: joined here, so the scope does not
                        // pass the panic on and Python gets a RuntimeError.
                        let _ = worker.join();
                        return Err(None);
                    }
                }
                if let Err(signal) = Python::attach(|py| report(py).and_then(|()| py.check_signals())) {
                    stop.store(true, Ordering::Relaxed);
                    let _ = receiver.recv();
                    return Err(Some(signal));
                }
            }
        })
    });
    match outcome {
        Ok(value) => {
            report(py)?;
            Ok(value)
        }
        Err(Some(signal)) => Err(signal),
        Err(None) => Err(pyo3::exceptions::PyRuntimeError::new_err("the run's thread panicked")),
    }
}

/// A table as `[(name, kind, data)]`: kind `text` (a list of str), `int`
/// (native-endian u64 bytes) or `float` (native-endian f64 bytes, NaN
/// undefined), for `numpy.frombuffer`.
fn columns<'py>(py: Python<'py>, table: &Columns) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for (k, name) in table.header.iter().enumerate() {
        let (kind, data): (&str, Bound<'py, PyAny>) = match table.columns.get(k) {
            None => ("empty", PyList::empty(py).into_any()),
            Some(Column::Text(v)) => ("text", PyList::new(py, v)?.into_any()),
            Some(Column::Int(v)) => {
                let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_ne_bytes()).collect();
                ("int", PyBytes::new(py, &bytes).into_any())
            }
            Some(Column::Float(v)) => {
                let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_ne_bytes()).collect();
                ("float", PyBytes::new(py, &bytes).into_any())
            }
        };
        list.append((name, kind, data))?;
    }
    Ok(list)
}

/// Run scenarios in memory: a dict of tables (`timeseries`, `summary`,
/// `graphs`, `aggregate`, `classes`, each as [`columns`] gives it) and the
/// notes of loading. Ctrl-C stops the batch and raises KeyboardInterrupt.
#[pyfunction]
#[pyo3(signature = (scenarios, overrides, threads=None, progress=None))]
fn run<'py>(
    py: Python<'py>,
    scenarios: Vec<PyScenario>,
    overrides: Vec<(String, String)>,
    threads: Option<usize>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let batch: Vec<Scenario> = scenarios.into_iter().map(|s| s.inner).collect();
    let counter = Progress::default();
    let stop = AtomicBool::new(false);
    let outcome = interruptible(py, &counter, progress.as_ref(), &stop, || {
        commands::run_tables(batch, &overrides, threads, &counter, &stop)
    })?;
    let tables = match outcome.map_err(|e| raise(py, e))? {
        Some(tables) => tables,
        // Cut short without a signal reaching us: report it as one.
        None => return Err(pyo3::exceptions::PyKeyboardInterrupt::new_err("run interrupted")),
    };
    let out = PyDict::new(py);
    for (name, table) in [
        ("timeseries", &tables.timeseries),
        ("summary", &tables.summary),
        ("graphs", &tables.graphs),
        ("aggregate", &tables.aggregate),
        ("classes", &tables.classes),
    ] {
        out.set_item(name, columns(py, table)?)?;
    }
    out.set_item("notes", counter.notes.into_inner().expect("not poisoned"))?;
    Ok(out)
}

/// `agora compare` into `out`; returns runs, seconds and threads.
#[pyfunction]
#[pyo3(signature = (base, policies, across, out, overrides, threads=None))]
fn compare<'py>(
    py: Python<'py>,
    base: Option<String>,
    policies: Vec<String>,
    across: Vec<String>,
    out: PathBuf,
    overrides: Vec<(String, String)>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let options = commands::CompareOptions {
        base,
        policies,
        across,
        out,
        overrides,
        threads,
        report: None,
        until: Vec::new(),
    };
    let outcome = py
        .detach(|| commands::compare(&options, &commands::Silent))
        .map_err(|e| raise(py, e))?;
    let dict = PyDict::new(py);
    dict.set_item("runs", outcome.runs)?;
    dict.set_item("seconds", outcome.seconds)?;
    dict.set_item("threads", outcome.threads)?;
    Ok(dict)
}

/// `agora sweep FILE --out OUT`; returns runs, points and the folder.
#[pyfunction]
#[pyo3(signature = (file, out, threads=None, design_only=false))]
fn sweep<'py>(
    py: Python<'py>,
    file: PathBuf,
    out: PathBuf,
    threads: Option<usize>,
    design_only: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let options = commands::SweepOptions {
        file,
        out: Some(out),
        shard: None,
        resume: false,
        threads,
        design_only,
        format: Default::default(),
    };
    let outcome = py
        .detach(|| commands::sweep(&options, &commands::Silent))
        .map_err(|e| raise(py, e))?;
    let dict = PyDict::new(py);
    dict.set_item("name", &outcome.sweep.name)?;
    dict.set_item("runs", outcome.runs)?;
    dict.set_item("points", outcome.sweep.points.len())?;
    dict.set_item("dir", outcome.dir)?;
    dict.set_item("seconds", outcome.seconds)?;
    Ok(dict)
}

/// `agora sensitivity DIR --out OUT`; returns the method and the folder.
#[pyfunction]
#[pyo3(signature = (dir, out, metrics, bootstrap, seed=None, over_time=false, outputs=None))]
#[allow(clippy::too_many_arguments)]
fn sensitivity<'py>(
    py: Python<'py>,
    dir: PathBuf,
    out: PathBuf,
    metrics: Vec<String>,
    bootstrap: usize,
    seed: Option<u64>,
    over_time: bool,
    outputs: Option<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let options = commands::SensitivityOptions {
        dir,
        outputs,
        metrics,
        bootstrap,
        seed,
        over_time,
        out: Some(out),
    };
    let outcome = py
        .detach(|| commands::sensitivity(&options, &commands::Silent))
        .map_err(|e| raise(py, e))?;
    let dict = PyDict::new(py);
    dict.set_item("method", outcome.method)?;
    dict.set_item("outcome", outcome.outcome)?;
    dict.set_item("dir", outcome.out)?;
    Ok(dict)
}

/// `agora discover FILE --target T --inputs ... --out OUT`; returns the
/// rows, cases and the folder.
#[pyfunction]
#[pyo3(signature = (file, target, inputs, out, peel_alpha, paste_alpha, mass_min, boxes, min_coverage))]
#[allow(clippy::too_many_arguments)]
fn discover<'py>(
    py: Python<'py>,
    file: PathBuf,
    target: String,
    inputs: Vec<String>,
    out: PathBuf,
    peel_alpha: f64,
    paste_alpha: f64,
    mass_min: f64,
    boxes: usize,
    min_coverage: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let options = commands::DiscoverOptions {
        file,
        target,
        inputs,
        config: agora_core::analysis::PrimConfig {
            peel_alpha,
            paste_alpha,
            mass_min,
            ..Default::default()
        },
        boxes,
        min_coverage,
        out: Some(out),
    };
    let outcome = py.detach(|| commands::discover(&options)).map_err(|e| raise(py, e))?;
    let dict = PyDict::new(py);
    dict.set_item("rows", outcome.rows)?;
    dict.set_item("cases", outcome.cases)?;
    dict.set_item("dir", outcome.out)?;
    Ok(dict)
}

/// The names of the built-in scenarios.
#[pyfunction]
fn built_in() -> Vec<String> {
    scenario::BUILT_IN
        .iter()
        .map(|(file, _)| file.trim_end_matches(".ron").to_string())
        .collect()
}

/// The files of a results folder its manifest lists, in manifest order,
/// once each matches its recorded size and SHA-256 (`agora verify`). A
/// loader reads these and no other file of the folder.
#[pyfunction]
fn verified_files(py: Python<'_>, dir: PathBuf) -> PyResult<Vec<String>> {
    let manifest = py
        .detach(|| agora_core::commands::verify(&dir))
        .map_err(|e| raise(py, e))?;
    Ok(manifest.files.into_iter().map(|f| f.name).collect())
}

/// The metric columns, in file order.
#[pyfunction]
fn metric_names() -> Vec<&'static str> {
    agora_core::model::METRIC_NAMES.to_vec()
}

#[pymodule]
fn _agora(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyScenario>()?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(discover, m)?)?;
    m.add_function(wrap_pyfunction!(built_in, m)?)?;
    m.add_function(wrap_pyfunction!(metric_names, m)?)?;
    m.add_function(wrap_pyfunction!(verified_files, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
