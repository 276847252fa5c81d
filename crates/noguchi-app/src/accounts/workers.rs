//! Argon2 on a few threads of its own.
//!
//! A password check takes 19 MiB and most of a core for a few tens of milliseconds. Run on
//! tokio's blocking pool, each check landed on whichever of its threads was free, and glibc
//! kept each thread's 19 MiB for reuse: a hundred sign-ins at once left the process 600 MB
//! larger even with only four checks at a time. Here [`PASSWORD_CHECKS`] threads do every
//! check and hash, so the memory Argon2 can hold is bounded by their number, and the rest wait
//! in a bounded queue; a job that cannot start within its wait is dropped unrun (busy).

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Password checks (and hashes) at once: four take about 80 MB and queue the rest briefly.
pub const PASSWORD_CHECKS: usize = 4;

/// Jobs waiting at most; past this a sign-in answers busy at once.
const QUEUE: usize = 256;

struct Job {
    start_by: Instant,
    work: Box<dyn FnOnce() + Send>,
}

pub struct PasswordWorkers {
    queue: SyncSender<Job>,
}

impl PasswordWorkers {
    /// Starts the threads; they end when the workers are dropped (the queue closes).
    pub fn new() -> Self {
        let (queue, jobs) = sync_channel::<Job>(QUEUE);
        let jobs = Arc::new(Mutex::new(jobs));
        for i in 0..PASSWORD_CHECKS {
            let jobs = jobs.clone();
            std::thread::Builder::new()
                .name(format!("noguchi-password-{i}"))
                .spawn(move || work(&jobs))
                .expect("a thread for password checks");
        }
        Self { queue }
    }

    /// Runs `f` on a password thread; None when it could not start within `wait` (or the
    /// queue is full).
    pub async fn run<T: Send + 'static>(
        &self,
        wait: Duration,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job = Job {
            start_by: Instant::now() + wait,
            work: Box::new(move || {
                let _ = done.send(f());
            }),
        };
        self.queue.try_send(job).ok()?;
        // A job dropped unrun drops its sender: the receiver then answers Err.
        result.await.ok()
    }
}

impl Default for PasswordWorkers {
    fn default() -> Self {
        Self::new()
    }
}

fn work(jobs: &Mutex<Receiver<Job>>) {
    loop {
        let next = jobs.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(job) = next else { return };
        if Instant::now() <= job.start_by {
            (job.work)();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn jobs_run_on_the_few_threads_and_late_ones_are_dropped() {
        let w = Arc::new(PasswordWorkers::new());
        let mut names = std::collections::BTreeSet::new();
        for _ in 0..12 {
            let name = w
                .run(Duration::from_secs(5), || {
                    std::thread::current().name().unwrap_or_default().to_owned()
                })
                .await
                .unwrap();
            names.insert(name);
        }
        assert!(names.len() <= PASSWORD_CHECKS, "{names:?}");
        assert!(names.iter().all(|n| n.starts_with("noguchi-password-")));
        // Every thread busy for half a second: a job that must start within 10 ms is dropped
        // unrun, one that may wait a few seconds runs after them.
        let slow: Vec<_> = (0..PASSWORD_CHECKS)
            .map(|_| {
                let w = w.clone();
                tokio::spawn(async move {
                    w.run(Duration::from_secs(5), || {
                        std::thread::sleep(Duration::from_millis(500))
                    })
                    .await
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(w.run(Duration::from_millis(10), || 1).await, None);
        assert_eq!(w.run(Duration::from_secs(5), || 2).await, Some(2));
        for s in slow {
            assert_eq!(s.await.unwrap(), Some(()));
        }
    }
}
