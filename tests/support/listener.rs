//! [`Listener`]: a server on a local port for the recipe tests (Slack's
//! webhook, a mail server), answering one connection at a time on a
//! thread of its own and keeping what each handled connection yields.

use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub(crate) struct Listener<T> {
    /// The port it listens on, at 127.0.0.1.
    pub(crate) port: u16,
    got: Arc<Mutex<Vec<T>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl<T: Send + 'static> Listener<T> {
    /// Listens, handing each connection (blocking, a 10 s read timeout) to
    /// `handle`, which returns what it received.
    pub(crate) fn start(handle: impl Fn(TcpStream) -> Vec<T> + Send + 'static) -> Listener<T> {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let got = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (g, s) = (Arc::clone(&got), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let ready = stream.set_nonblocking(false).is_ok()
                            && stream
                                .set_read_timeout(Some(Duration::from_secs(10)))
                                .is_ok();
                        if ready {
                            let items = handle(stream);
                            g.lock().expect("lock").extend(items);
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Listener {
            port,
            got,
            stop,
            thread: Some(thread),
        }
    }

    /// Stops listening: everything the connections yielded, in order.
    pub(crate) fn received(mut self) -> Vec<T> {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().expect("listener thread");
        }
        std::mem::take(&mut *self.got.lock().expect("lock"))
    }
}
