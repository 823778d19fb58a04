//! The main loop: lifecycle, dispatch of requests and notifications, and
//! publishing diagnostics.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{BufReader, Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::mpsc;

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    notification::{self as note, Notification as _},
    request::{self as req, Request as _},
    InitializeParams, PositionEncodingKind, Uri,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::site::LoadOptions;

use super::convert::{uri_to_path, Encoding, Lines};
use super::features::{self, Answer, ClientCaps, Ctx, Failure};
use super::state::Workspace;
use super::transport::{self, Incoming};

struct Server<W: Write> {
    out: W,
    ws: Option<Workspace>,
    encoding: Encoding,
    caps: ClientCaps,
    shutdown: bool,
    /// What was last published for each open file.
    published: HashMap<String, Vec<lsp_types::Diagnostic>>,
    /// The last problem shown with `window/showMessage`.
    shown_problem: Option<String>,
    next_id: i32,
}

/// Serves one client on `input`/`output` until `exit` or the end of input.
/// Returns the process exit code: 0 after a `shutdown` request, else 1.
pub fn run(input: impl Read + Send + 'static, output: impl Write) -> i32 {
    let (tx, rx) = mpsc::channel::<Incoming>();
    // The reader ends at the end of input (or a broken frame), dropping the
    // sender: the main loop then sees the channel closed and stops.
    std::thread::spawn(move || {
        let mut input = BufReader::new(input);
        while let Ok(Some(incoming)) = transport::read(&mut input) {
            if tx.send(incoming).is_err() {
                break;
            }
        }
    });
    let mut server = Server {
        out: output,
        ws: None,
        encoding: Encoding::Utf16,
        caps: ClientCaps::default(),
        shutdown: false,
        published: HashMap::new(),
        shown_problem: None,
        next_id: 0,
    };
    let mut queue: VecDeque<Incoming> = VecDeque::new();
    let mut cancelled: HashSet<RequestId> = HashSet::new();
    loop {
        if queue.is_empty() {
            server.refresh();
            match rx.recv() {
                Ok(incoming) => queue.push_back(incoming),
                Err(_) => break,
            }
        }
        // Everything already read joins the queue, so a cancel that follows
        // its request is seen before the request is started.
        while let Ok(incoming) = rx.try_recv() {
            queue.push_back(incoming);
        }
        for incoming in &queue {
            if let Incoming::Message(Message::Notification(n)) = incoming {
                if n.method == note::Cancel::METHOD {
                    if let Some(id) = cancel_id(&n.params) {
                        cancelled.insert(id);
                    }
                }
            }
        }
        let Some(incoming) = queue.pop_front() else {
            continue;
        };
        match incoming {
            Incoming::Invalid { id, code, message } => {
                let _ = transport::write_error(&mut server.out, &id, code, &message);
            }
            Incoming::Message(Message::Request(request)) => {
                if cancelled.remove(&request.id) {
                    server.reply(Response::new_err(
                        request.id,
                        ErrorCode::RequestCanceled as i32,
                        "cancelled before it was started".into(),
                    ));
                } else {
                    server.request(request);
                }
            }
            Incoming::Message(Message::Notification(n)) => {
                if n.method == note::Exit::METHOD {
                    return if server.shutdown { 0 } else { 1 };
                }
                server.notification(n);
            }
            // Answers to the server's own requests (registration) need no action.
            Incoming::Message(Message::Response(_)) => {}
        }
        // Ids of requests answered before their cancel came would pile up.
        if cancelled.len() > 1024 {
            cancelled.clear();
        }
    }
    if server.shutdown {
        0
    } else {
        1
    }
}

fn cancel_id(params: &Value) -> Option<RequestId> {
    match params.get("id")? {
        Value::Number(n) => n
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .map(RequestId::from),
        Value::String(s) => Some(RequestId::from(s.clone())),
        _ => None,
    }
}

fn params<P: DeserializeOwned>(value: Value) -> Result<P, Failure> {
    serde_json::from_value(value)
        .map_err(|e| Failure::new(ErrorCode::InvalidParams, format!("invalid params: {e}")))
}

fn to_value(value: impl serde::Serialize) -> Answer {
    serde_json::to_value(value).map_err(|e| Failure::new(ErrorCode::InternalError, e.to_string()))
}

impl<W: Write> Server<W> {
    fn send(&mut self, message: Message) {
        // A client that stopped reading cannot be told anything; the end of
        // input will stop the loop.
        let _ = transport::write(&mut self.out, &message);
    }

    fn reply(&mut self, response: Response) {
        self.send(Message::Response(response));
    }

    fn notify(&mut self, method: &str, params: impl serde::Serialize) {
        self.send(Message::Notification(Notification::new(
            method.to_string(),
            params,
        )));
    }

    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        let answer = if self.shutdown {
            Err(Failure::new(
                ErrorCode::InvalidRequest,
                "the server is shutting down",
            ))
        } else if self.ws.is_none() && request.method != req::Initialize::METHOD {
            Err(Failure::new(
                ErrorCode::ServerNotInitialized,
                "the first request must be `initialize`",
            ))
        } else {
            self.refresh();
            // A bug in a handler answers an error instead of ending the session.
            catch_unwind(AssertUnwindSafe(|| self.dispatch(request))).unwrap_or_else(|_| {
                Err(Failure::new(
                    ErrorCode::InternalError,
                    "internal error (a bug in throughline: please report it)",
                ))
            })
        };
        let response = match answer {
            Ok(value) => Response {
                id,
                response_result: Ok(value),
            },
            Err(f) => Response::new_err(id, f.code, f.message),
        };
        self.reply(response);
    }

    fn dispatch(&mut self, request: Request) -> Answer {
        let Request {
            method, params: p, ..
        } = request;
        if method == req::Initialize::METHOD {
            return self.initialize(params(p)?);
        }
        if method == req::Shutdown::METHOD {
            self.shutdown = true;
            return Ok(Value::Null);
        }
        let (Some(ws), encoding) = (self.ws.as_ref(), self.encoding) else {
            return Err(Failure::new(
                ErrorCode::ServerNotInitialized,
                "not initialized",
            ));
        };
        if !features::handles(&method) {
            return Err(Failure::new(
                ErrorCode::MethodNotFound,
                format!("unknown method `{method}`"),
            ));
        }
        let Some(site) = ws.site.as_ref() else {
            // No analysis (an invalid config from the start): nothing to answer with.
            return Ok(Value::Null);
        };
        let ctx = Ctx {
            ws,
            site,
            encoding,
            caps: self.caps,
        };
        features::answer(&ctx, &method, p)
    }

    fn initialize(&mut self, init: InitializeParams) -> Answer {
        if self.ws.is_some() {
            return Err(Failure::new(
                ErrorCode::InvalidRequest,
                "`initialize` was already sent",
            ));
        }
        let root = root_of(&init);
        let offers_utf8 = init
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|list| list.contains(&PositionEncodingKind::UTF8));
        self.encoding = if offers_utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        let workspace = init.capabilities.workspace.as_ref();
        self.caps = ClientCaps {
            document_changes: workspace
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            watch_files: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
        };
        let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
        let today = crate::date::Today::new(None, epoch.as_deref())
            .map_err(|e| Failure::new(ErrorCode::InternalError, e.0))?;
        let options = LoadOptions {
            root: root.clone(),
            today,
            drafts: false,
            output_dir: None,
            base_url: None,
        };
        self.ws = Some(Workspace::new(root, options));
        to_value(features::capabilities::initialize_result(self.encoding))
    }

    fn notification(&mut self, n: Notification) {
        let result = catch_unwind(AssertUnwindSafe(|| self.handle_notification(n)));
        if result.is_err() {
            self.notify(
                note::ShowMessage::METHOD,
                lsp_types::ShowMessageParams {
                    typ: lsp_types::MessageType::ERROR,
                    message: "throughline: internal error (a bug: please report it)".into(),
                },
            );
        }
    }

    fn handle_notification(&mut self, n: Notification) {
        if n.method == note::Initialized::METHOD {
            self.register_watchers();
            return;
        }
        let Some(ws) = self.ws.as_mut() else {
            // Notifications before `initialize` are dropped, as the protocol says.
            return;
        };
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                let Ok(p) = params::<lsp_types::DidOpenTextDocumentParams>(n.params) else {
                    return;
                };
                let doc = p.text_document;
                if let Some(rel) = ws.rel_path(&doc.uri) {
                    ws.set_buffer(rel, doc.uri, doc.version, doc.text);
                }
            }
            note::DidChangeTextDocument::METHOD => {
                let Ok(p) = params::<lsp_types::DidChangeTextDocumentParams>(n.params) else {
                    return;
                };
                let Some(rel) = ws.rel_path(&p.text_document.uri) else {
                    return;
                };
                let Some(buffer) = ws.open.get(&rel) else {
                    return;
                };
                let mut text = buffer.text.clone();
                for change in p.content_changes {
                    match change.range {
                        // Ranges are applied too, though the server asks for whole texts.
                        Some(range) => {
                            let lines = Lines::new(&text);
                            let start = lines.offset(range.start, self.encoding);
                            let end = lines.offset(range.end, self.encoding).max(start);
                            text.replace_range(start..end, &change.text);
                        }
                        None => text = change.text,
                    }
                }
                let uri = buffer.uri.clone();
                ws.set_buffer(rel, uri, p.text_document.version, text);
            }
            note::DidCloseTextDocument::METHOD => {
                let Ok(p) = params::<lsp_types::DidCloseTextDocumentParams>(n.params) else {
                    return;
                };
                if let Some(rel) = ws.rel_path(&p.text_document.uri) {
                    ws.close(&rel);
                    if self.published.remove(&rel).is_some() {
                        self.publish(p.text_document.uri, Vec::new(), None);
                    }
                }
            }
            note::DidChangeWatchedFiles::METHOD => {
                let Ok(p) = params::<lsp_types::DidChangeWatchedFilesParams>(n.params) else {
                    return;
                };
                let rels: Vec<String> = p
                    .changes
                    .iter()
                    .filter_map(|c| ws.rel_path(&c.uri))
                    .filter(|rel| !ws.open.contains_key(rel))
                    .collect();
                if !rels.is_empty() {
                    ws.disk_changed(&rels);
                }
            }
            // Saving changes nothing the buffer did not already say; the
            // rest ($/setTrace, $/progress, ...) need no answer.
            _ => {}
        }
    }

    fn register_watchers(&mut self) {
        if !self.caps.watch_files {
            return;
        }
        let watcher = |glob: &str| lsp_types::FileSystemWatcher {
            glob_pattern: lsp_types::GlobPattern::String(glob.to_string()),
            kind: None,
        };
        let options = lsp_types::DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![watcher("**/*.md"), watcher("**/throughline.yaml")],
        };
        let registration = lsp_types::Registration {
            id: "throughline-watch".into(),
            method: note::DidChangeWatchedFiles::METHOD.into(),
            register_options: serde_json::to_value(options).ok(),
        };
        self.next_id += 1;
        let request = Request::new(
            RequestId::from(format!("throughline-{}", self.next_id)),
            req::RegisterCapability::METHOD.to_string(),
            lsp_types::RegistrationParams {
                registrations: vec![registration],
            },
        );
        self.send(Message::Request(request));
    }

    /// Analyses again if anything changed, and publishes what changed.
    fn refresh(&mut self) {
        let Some(ws) = self.ws.as_mut() else {
            return;
        };
        if !ws.analyze() {
            return;
        }
        self.show_problem();
        self.publish_changed();
    }

    fn show_problem(&mut self) {
        let Some(ws) = self.ws.as_ref() else {
            return;
        };
        let problem = ws.problem.as_ref().map(|p| p.to_string());
        if problem == self.shown_problem {
            return;
        }
        self.shown_problem = problem.clone();
        if let Some(message) = problem {
            self.notify(
                note::ShowMessage::METHOD,
                lsp_types::ShowMessageParams {
                    typ: lsp_types::MessageType::ERROR,
                    message: format!("throughline: {message}"),
                },
            );
        }
    }

    /// Publishes the diagnostics of every open file whose findings changed.
    fn publish_changed(&mut self) {
        let Some(ws) = self.ws.as_ref() else {
            return;
        };
        let mut updates = Vec::new();
        for (rel, buffer) in &ws.open {
            // Spans fit the text that was analysed, which a buffer may have moved past.
            let lines = Lines::new(ws.text(rel).unwrap_or(&buffer.text));
            let mut found: Vec<lsp_types::Diagnostic> = Vec::new();
            if let Some(site) = ws.site.as_ref() {
                found.extend(
                    features::diagnostics::for_file(&site.diagnostics, rel)
                        .map(|d| features::diagnostics::to_lsp(d, &lines, self.encoding)),
                );
            }
            // An invalid config stops the analysis; its finding goes on the config itself.
            if let Some(crate::site::RunError::Config { diagnostic, .. }) = ws.problem.as_ref() {
                if diagnostic.file == *rel {
                    found.push(features::diagnostics::to_lsp(
                        diagnostic,
                        &lines,
                        self.encoding,
                    ));
                }
            }
            if self.published.get(rel) != Some(&found) {
                updates.push((rel.clone(), buffer.uri.clone(), found, buffer.version));
            }
        }
        for (rel, uri, found, version) in updates {
            self.published.insert(rel, found.clone());
            self.publish(uri, found, Some(version));
        }
    }

    fn publish(&mut self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        self.notify(
            note::PublishDiagnostics::METHOD,
            lsp_types::PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        );
    }
}

/// The site root: `rootUri`, else the first workspace folder, else `rootPath`, else the current folder.
fn root_of(init: &InitializeParams) -> PathBuf {
    #[allow(deprecated)]
    let root_uri = init.root_uri.as_ref().and_then(uri_to_path);
    let folder = || {
        init.workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .and_then(|f| uri_to_path(&f.uri))
    };
    #[allow(deprecated)]
    let root_path = || init.root_path.as_ref().map(PathBuf::from);
    root_uri
        .or_else(folder)
        .or_else(root_path)
        .unwrap_or_else(|| crate::source::absolute(std::path::Path::new(".")))
}
