//! One setting of the C allocator, made before anything else runs.
//!
//! glibc serves a large allocation (above 128 KiB) with its own mapping and unmaps it when it is
//! freed, but after the first such free it raises that threshold to the freed size, so later
//! blocks of that size come from the heap and stay with the process when freed. Each password
//! check allocates 19 MiB (Argon2id's memory); with the dynamic threshold, a hundred sign-ins
//! left the server 440 MB larger than before them, and sheets and workbooks did the same. A
//! fixed threshold of 1 MiB keeps every large block a mapping of its own, returned on free:
//! measured, the same hundred sign-ins then leave the resident size where it was
//! (scripts/bench-sign-in, BENCHMARKS.md). Small allocations are unaffected.

/// Fixes glibc's mmap threshold at 1 MiB (which also turns its dynamic adjustment off).
pub fn return_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes a tuning parameter of the allocator; it is called first
    // thing in main, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}
