//! Data parallelism behind the default `parallel` feature.
//!
//! With it, this is rayon: parallel iterators, scopes and pools. Without it
//! (`default-features = false`, for a build that cannot start threads, such
//! as WebAssembly), the same names run sequentially on the calling thread.
//! Results are the same bytes either way: every parallel loop in the crate
//! works on fixed chunks whose partial results are combined in chunk order.

#[cfg(feature = "parallel")]
pub use rayon::prelude::*;
#[cfg(feature = "parallel")]
pub use rayon::{ThreadPoolBuilder, current_num_threads, scope};

#[cfg(not(feature = "parallel"))]
pub use sequential::*;

#[cfg(not(feature = "parallel"))]
mod sequential {
    /// `par_chunks`, in order.
    pub trait ParallelSlice<T> {
        /// The slice's chunks of `size`, in order.
        fn par_chunks(&self, size: usize) -> std::slice::Chunks<'_, T>;
    }

    impl<T> ParallelSlice<T> for [T] {
        fn par_chunks(&self, size: usize) -> std::slice::Chunks<'_, T> {
            self.chunks(size)
        }
    }

    /// `par_chunks_mut`, in order.
    pub trait ParallelSliceMut<T> {
        /// The slice's chunks of `size`, in order.
        fn par_chunks_mut(&mut self, size: usize) -> std::slice::ChunksMut<'_, T>;
    }

    impl<T> ParallelSliceMut<T> for [T] {
        fn par_chunks_mut(&mut self, size: usize) -> std::slice::ChunksMut<'_, T> {
            self.chunks_mut(size)
        }
    }

    /// `par_iter`, in order.
    pub trait IntoParallelRefIterator<T> {
        /// The items, in order.
        fn par_iter(&self) -> std::slice::Iter<'_, T>;
    }

    impl<T> IntoParallelRefIterator<T> for [T] {
        fn par_iter(&self) -> std::slice::Iter<'_, T> {
            self.iter()
        }
    }

    /// `into_par_iter`, in order.
    pub trait IntoParallelIterator: IntoIterator + Sized {
        /// The items, in order.
        fn into_par_iter(self) -> Self::IntoIter {
            self.into_iter()
        }
    }

    impl<I: IntoIterator> IntoParallelIterator for I {}

    /// `with_min_len`: a hint for splitting work, nothing to do here.
    pub trait IndexedParallelIterator: Iterator + Sized {
        /// The iterator itself.
        fn with_min_len(self, _min: usize) -> Self {
            self
        }
    }

    impl<I: Iterator> IndexedParallelIterator for I {}

    /// The number of threads work is spread over: one.
    pub fn current_num_threads() -> usize {
        1
    }

    /// A scope whose spawned work runs at once, on the calling thread.
    pub struct Scope;

    impl Scope {
        /// Run `work` now.
        pub fn spawn(&self, work: impl FnOnce(&Scope)) {
            work(self)
        }
    }

    /// Run `work` with a [`Scope`].
    pub fn scope<R>(work: impl FnOnce(&Scope) -> R) -> R {
        work(&Scope)
    }

    /// A pool of one thread: the caller's.
    #[derive(Debug, Default)]
    pub struct ThreadPoolBuilder;

    /// What building a pool can fail with (never, here).
    #[derive(Debug)]
    pub struct ThreadPoolBuildError;

    impl std::fmt::Display for ThreadPoolBuildError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("no thread pool")
        }
    }

    impl std::error::Error for ThreadPoolBuildError {}

    impl ThreadPoolBuilder {
        /// A builder.
        pub fn new() -> Self {
            ThreadPoolBuilder
        }

        /// Ignored: there is one thread.
        pub fn num_threads(self, _threads: usize) -> Self {
            self
        }

        /// The pool.
        pub fn build(self) -> Result<ThreadPool, ThreadPoolBuildError> {
            Ok(ThreadPool)
        }
    }

    /// The caller's thread.
    #[derive(Debug)]
    pub struct ThreadPool;

    impl ThreadPool {
        /// Run `work` on the calling thread.
        pub fn install<R>(&self, work: impl FnOnce() -> R) -> R {
            work()
        }
    }
}
