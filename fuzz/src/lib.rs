//! What every fuzz target shares: the bounds each input must stay within
//! (CPU time and memory), and the knowledge the gate is checked against.
//!
//! A slow input is a bug, the same as a crash: a hook that takes seconds is
//! killed by its agent, and most agents then let the command through.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use nix::time::{ClockId, clock_gettime};

/// CPU time one input on the hook's path may take, in the fuzz build
/// (optimised, with debug assertions and coverage counters: about four times
/// a release build). The analysis stops at 512 actions and 4,096 commands,
/// and at that cap analysing and checking take about 100 ms here; what this
/// catches is work that grows faster than the input, long before the hook's
/// 4 s deadline would make it fail open.
pub const TIME_BUDGET: Duration = Duration::from_millis(250);

/// A document read at build time may take this, plus
/// [`DOCUMENT_TIME_PER_KIB`]: reading one is linear (about 0.6 ms per KiB in
/// the fuzz build), so only an input slower than linear runs past it.
pub const DOCUMENT_TIME_BASE: Duration = Duration::from_millis(50);

/// See [`DOCUMENT_TIME_BASE`].
pub const DOCUMENT_TIME_PER_KIB: Duration = Duration::from_millis(1);

/// Memory one input may hold at once, above what was held before it.
pub const MEMORY_BUDGET: usize = 64 << 20;

/// The system allocator, counting the bytes held and their peak, so that a
/// target can fail on an input that allocates past [`MEMORY_BUDGET`].
pub struct CountingAllocator;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; the counters only
// observe sizes.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on as is.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            note_growth(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` with this `layout`.
        unsafe { System.dealloc(ptr, layout) };
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            note_growth(layout.size());
        }
        ptr
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `alloc`; `ptr` came from this allocator.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            HELD.fetch_sub(layout.size(), Ordering::Relaxed);
            note_growth(new_size);
        }
        new
    }
}

/// `LORE_FUZZ_TIME_BUDGET_MS`, to profile a finding past its budget.
fn budget_override() -> Option<Duration> {
    static BUDGET: OnceLock<Option<Duration>> = OnceLock::new();
    *BUDGET.get_or_init(|| {
        std::env::var("LORE_FUZZ_TIME_BUDGET_MS").ok().and_then(|ms| ms.parse().ok()).map(Duration::from_millis)
    })
}

fn note_growth(size: usize) {
    let held = HELD.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(held, Ordering::Relaxed);
}

fn thread_cpu_time() -> Duration {
    clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID).map(Duration::from).unwrap_or_default()
}

/// Runs `work` on one input and panics (a finding, for libFuzzer) when it
/// takes more than [`TIME_BUDGET`] of CPU time or holds more than
/// [`MEMORY_BUDGET`] at its peak. Thread CPU time, not wall time, so that a
/// busy machine does not make findings of its own; an input over the time
/// budget is timed twice more and judged by its fastest run, since page
/// faults under memory pressure are charged to the thread too.
pub fn bounded<T>(what: &str, work: impl Fn() -> T) -> T {
    bounded_by(what, TIME_BUDGET, work)
}

/// [`bounded`], for a document of `bytes` read at build time, not on the
/// hook's path: its budget is [`DOCUMENT_TIME_BASE`] and grows with its size.
pub fn bounded_document<T>(what: &str, bytes: usize, work: impl Fn() -> T) -> T {
    let kib = u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX);
    bounded_by(what, DOCUMENT_TIME_BASE + DOCUMENT_TIME_PER_KIB * kib, work)
}

fn bounded_by<T>(what: &str, budget: Duration, work: impl Fn() -> T) -> T {
    let budget = budget_override().unwrap_or(budget);
    tolerate_caught_parser_panics();
    let held_before = HELD.load(Ordering::Relaxed);
    PEAK.store(held_before, Ordering::Relaxed);
    let (mut out, mut took) = timed(&work);
    let grew = PEAK.load(Ordering::Relaxed).saturating_sub(held_before);
    assert!(grew <= MEMORY_BUDGET, "{what}: over the memory budget: {} MiB held at the peak", grew >> 20);
    for _ in 0..2 {
        if took <= budget {
            break;
        }
        let (again, again_took) = timed(&work);
        (out, took) = (again, took.min(again_took));
    }
    assert!(took <= budget, "{what}: over the time budget of {budget:?}: {took:?} of CPU for one input, at best of 3");
    out
}

fn timed<T>(work: &impl Fn() -> T) -> (T, Duration) {
    let started = thread_cpu_time();
    let out = work();
    (out, thread_cpu_time().saturating_sub(started))
}

/// The input as text, when it is UTF-8 (every parser here takes `&str`).
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// lore runs the shell parser (brush-parser) under `catch_unwind` and
/// analyses word by word when it panics, so such a panic is handled, not a
/// crash. libfuzzer-sys aborts on every panic; this keeps that for all
/// others, lore's own assertions included.
fn tolerate_caught_parser_panics() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let abort_on_panic = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_parser = info.location().is_some_and(|l| l.file().contains("/brush-parser-"));
            if !in_parser {
                abort_on_panic(info);
            }
        }));
    });
}

/// A context with no environment and no working tree: what a remote caller
/// with nothing set gets.
pub fn context() -> lore_gate::Context {
    lore_gate::Context::from_vars(Some("/home/dev/project".into()), &Default::default())
}

/// The built-in example's pack, built once per process, for targets that
/// check actions against knowledge as well as without it. Set
/// `LORE_FUZZ_KNOWLEDGE` to a knowledge directory (with its `lore.toml`) to
/// check against that instead, such as the pooled corpora.
pub fn example_pack() -> &'static lore_pack::Pack {
    static PACK: OnceLock<(tempfile::TempDir, lore_pack::Pack)> = OnceLock::new();
    &PACK.get_or_init(build_example_pack).1
}

fn build_example_pack() -> (tempfile::TempDir, lore_pack::Pack) {
    let root = std::env::var_os("LORE_FUZZ_KNOWLEDGE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/acme"));
    let config = lore_ingest::Config::load(&root.join("lore.toml")).expect("the knowledge's lore.toml loads");
    let dir = tempfile::tempdir().expect("a temporary directory for the pack");
    let options = lore_pack::BuildOptions {
        root,
        pack_dir: dir.path().to_path_buf(),
        config,
        force: true,
        model: None,
        progress: None,
    };
    lore_pack::build(&options).expect("the knowledge builds");
    let pack = lore_pack::Pack::open(dir.path()).expect("the pack just built opens");
    (dir, pack)
}

/// Checks `analysis` with no knowledge and against [`example_pack`], as the
/// hook would, and asserts what the gate promises whatever the input.
pub fn gate(analysis: &lore_action::Analysis) -> lore_gate::Verdict {
    let config = lore_gate::GateConfig::default();
    let ctx = context();
    let bare = lore_gate::check(None, analysis, &ctx, &config);
    let verdict = lore_gate::check(Some(example_pack().data()), analysis, &ctx, &config);
    for v in [&bare, &verdict] {
        assert_eq!(v.complete, analysis.complete, "a verdict says whether its analysis was complete");
        if !analysis.complete {
            assert!(v.decision >= lore_model::Decision::Warn, "an incomplete analysis never passes silently");
        }
    }
    verdict
}

/// Reads `bytes` as the knowledge file `rel_path` of an `auto` source, as
/// `lore build` does, and asserts that every diagnostic names a line of it.
pub fn ingest(rel_path: &str, bytes: &[u8]) -> lore_ingest::FileOutput {
    let source = lore_ingest::SourceConfig {
        path: ".".into(),
        kind: lore_ingest::SourceSetting::Auto,
        system_from_path: lore_ingest::PathConvention::Auto,
        incidents: lore_ingest::Detect::Auto,
        environment: None,
        exclude: Vec::new(),
    };
    // Nowhere on disk: neighbours (`.env`, included files) are not read.
    let abs_path = PathBuf::from("/nonexistent/lore-fuzz").join(rel_path);
    let path_dirs = std::path::Path::new(rel_path)
        .parent()
        .map(|p| p.iter().map(|c| c.to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    let ctx = lore_ingest::FileContext { rel_path, abs_path: &abs_path, source: &source, path_dirs, commit: None };
    let out = lore_ingest::ingest_file(&ctx, bytes);
    let last_line = line_breaks(bytes) + 1;
    for d in &out.diagnostics {
        assert!(d.line >= 1 && d.line <= last_line, "a diagnostic names a line of the file: {d:?}");
    }
    out
}

/// Line breaks as YAML counts them: `\n`, `\r\n`, and a lone `\r` (which
/// editors also show as a new line).
fn line_breaks(bytes: &[u8]) -> u32 {
    let lone_cr =
        bytes.windows(2).filter(|w| w[0] == b'\r' && w[1] != b'\n').count() + usize::from(bytes.last() == Some(&b'\r'));
    (bytes.iter().filter(|b| **b == b'\n').count() + lone_cr) as u32
}
