//! Runs each input on one long-lived thread with the binary's 256 MiB stack
//! (`engine/src/main.rs`): wixsync's parse and visitors recurse once per nesting level, and
//! the binary gives them that much room. A panic on the thread aborts the process, which
//! libFuzzer records as a crash.

use std::sync::Mutex;
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

type Job = (Vec<u8>, SyncSender<()>);

static WORKER: OnceLock<Mutex<SyncSender<Job>>> = OnceLock::new();

/// Runs `entry(data)` on the big-stack thread and waits for it.
pub fn run(entry: fn(&[u8]), data: &[u8]) {
    let worker = WORKER.get_or_init(|| {
        let (send, receive): (SyncSender<Job>, Receiver<Job>) = sync_channel(0);
        std::thread::Builder::new()
            .name("wixsync-fuzz".to_owned())
            .stack_size(256 * 1024 * 1024)
            .spawn(move || {
                for (data, done) in receive {
                    entry(&data);
                    let _ = done.send(());
                }
            })
            .expect("a thread for the work");
        Mutex::new(send)
    });
    let (done, wait) = sync_channel(1);
    worker
        .lock()
        .unwrap()
        .send((data.to_vec(), done))
        .expect("the worker runs");
    wait.recv().expect("the worker finishes the input");
}
