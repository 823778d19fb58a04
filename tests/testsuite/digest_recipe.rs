//! The weekly digest recipes in docs/guide.md run as written: their shell
//! steps, read out of the guide, run with `bash -e` in a git repository of
//! a site with two teams, this build's binary first on `PATH`, and post to
//! a local HTTP listener standing in for Slack's incoming webhook, or mail
//! through a local SMTP server (`support::smtp`) with curl; the test checks
//! what they receive. Steps that `uses:` an action (the checkout, the
//! mail) are GitHub's and skipped; the install step is replaced by the
//! binary; the runner's clock is `SOURCE_DATE_EPOCH`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::Command;

use serde_yaml::Value;

use crate::support::listener::Listener;
use crate::support::{git, git_at, SiteTest};

/// 2026-11-24 12:00 UTC, a Tuesday: the simulated runner's clock.
const CLOCK: &str = "1795521600";

/// The YAML block of the guide whose first line is `# HEADER`.
fn block(header: &str) -> Value {
    crate::support::guide_yaml(header)
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => panic!("expected a string, found {other:?}"),
    }
}

/// A site with the recipe's two teams and a week of commits.
fn site() -> SiteTest {
    let site = SiteTest::new()
        .file("throughline.yaml", "title: Acme\nrepo_url: https://git.example.com/acme/strategy\n")
        .file("cs.md", "---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\n---\n# Strategy\n")
        .file("teams/team-payouts.md", "---\nid: team-payouts\nkind: team\ntitle: Payouts\n---\n")
        .file("teams/team-lending.md", "---\nid: team-lending\nkind: team\ntitle: Lending\n---\n")
        .file("ps.md", "---\nid: ps\nkind: product-strategy\nparent: cs\nteam: team-payouts\nreviewed: 2026-11-01\n---\n# Payouts\n")
        .file("pl.md", "---\nid: pl\nkind: product-strategy\nparent: cs\nteam: team-lending\nreviewed: 2026-11-01\n---\n# Lending\n");
    git(site.root(), &["init", "-q", "-b", "main"]);
    git_at(site.root(), "2026-11-01", &["add", "-A"]);
    git_at(site.root(), "2026-11-01", &["commit", "-q", "-m", "Set up"]);
    for (team, parent, title) in [
        ("payouts", "ps", "Instant payouts"),
        (
            "lending",
            "pl",
            "Credit lines @channel <script>alert(1)</script>",
        ),
    ] {
        let path = site.root().join(format!("bets/bet-{team}.md"));
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(
            &path,
            format!("---\nid: bet-{team}\nkind: bet\nparent: {parent}\nstatus: proposed\ntitle: \"{title}\"\nreviewed: 2026-11-20\n---\n"),
        )
        .expect("write");
    }
    git_at(site.root(), "2026-11-20", &["add", "-A"]);
    git_at(
        site.root(),
        "2026-11-20",
        &["commit", "-q", "-m", "Two bets <!here>"],
    );
    site
}

/// A stand-in for Slack's incoming webhook: every POST body it receives,
/// answered `200 ok`, until it is stopped.
struct Webhook {
    url: String,
    listener: Listener<String>,
}

impl Webhook {
    fn start() -> Webhook {
        let listener = Listener::start(|stream| serve(stream).into_iter().collect());
        Webhook {
            url: format!("http://127.0.0.1:{}/services/T000/B000/XXXX", listener.port),
            listener,
        }
    }

    fn received(self) -> Vec<String> {
        self.listener.received()
    }
}

/// Reads one request, answers it, and returns a POST's body.
fn serve(stream: std::net::TcpStream) -> Option<String> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        if line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let mut stream = stream;
    stream
        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        .ok()?;
    request_line
        .starts_with("POST /services/T000/B000/XXXX ")
        .then(|| String::from_utf8_lossy(&body).into_owned())
}

/// Runs `script` with `bash -e` in the site, as the runner would: the
/// binary first on `env`'s `PATH` (or the test's).
fn run_step(site: &SiteTest, script: &str, env: &[(String, String)]) {
    let bin = Path::new(env!("CARGO_BIN_EXE_throughline"));
    let rest = env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| std::env::var("PATH").unwrap_or_default());
    let path = format!("{}:{rest}", bin.parent().expect("bin dir").display());
    let out = Command::new("bash")
        .args(["-e", "-c", script])
        .current_dir(site.root())
        .env("SOURCE_DATE_EPOCH", CLOCK)
        .env("THROUGHLINE_CACHE_DIR", crate::support::cache_dir())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("PATH", path)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "the step failed:\n{script}\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What each team's payload must hold, and nothing that notifies anyone.
fn assert_slack_payloads(bodies: &[String], base: &str) {
    assert_eq!(bodies.len(), 2, "one post per team: {bodies:?}");
    for (body, (team, bet)) in bodies
        .iter()
        .zip([("Payouts", "Instant payouts"), ("Lending", "Credit lines")])
    {
        let payload: serde_json::Value = serde_json::from_str(body).expect("the payload is JSON");
        assert_eq!(payload["text"], "Strategy digest: Acme");
        let blocks = payload["blocks"].as_array().expect("blocks");
        assert!(!blocks.is_empty() && blocks.len() <= 50);
        assert!(body.contains(&format!("team {team}")), "{body}");
        assert!(
            body.contains(&format!("<{base}bet-")) && body.contains(bet),
            "{body}"
        );
        assert!(
            !body.contains("@channel") && !body.contains("<!here>"),
            "{body}"
        );
    }
}

#[test]
fn github_posts_each_teams_digest_to_the_webhook_and_writes_the_email() {
    let site = site();
    let workflow = block(".github/workflows/digest.yml");
    let on = &workflow["on"]["schedule"][0]["cron"];
    assert_eq!(text(on), "0 7 * * 1", "weekly, Monday morning");
    let webhook = Webhook::start();
    let steps = workflow["jobs"]["digest"]["steps"]
        .as_sequence()
        .expect("steps");
    let mut ran = 0;
    for step in steps {
        let Some(run) = step.get("run").map(text) else {
            assert!(
                step.get("uses").is_some(),
                "a step with neither run nor uses"
            );
            continue;
        };
        if step.get("name").map(text).as_deref() == Some("Install throughline") {
            assert!(run.trim_start().starts_with("cargo install"));
            continue;
        }
        let env: Vec<(String, String)> = step
            .get("env")
            .and_then(Value::as_mapping)
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                let v = text(v).replace("${{ secrets.SLACK_WEBHOOK_URL }}", &webhook.url);
                assert!(!v.contains("${{"), "the test has no value for {v}");
                (text(k), v)
            })
            .collect();
        run_step(&site, &run, &env);
        ran += 1;
    }
    assert_eq!(ran, 2, "the Slack step and the email step");
    assert_slack_payloads(&webhook.received(), "https://OWNER.github.io/strategy/");
    let html = std::fs::read_to_string(site.root().join("digest.html")).expect("digest.html");
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("Strategy digest: Acme"));
    assert!(!html.contains("<script") && !html.contains("<img"));
    // The mail step sends that file.
    let mail = steps
        .iter()
        .find(|s| {
            s.get("uses")
                .map(text)
                .is_some_and(|u| u.starts_with("dawidd6/action-send-mail@"))
        })
        .expect("a mail step");
    assert_eq!(text(&mail["with"]["html_body"]), "file://digest.html");
}

#[test]
fn gitlab_posts_each_teams_digest_on_a_schedule() {
    let site = site();
    let job = block(".gitlab-ci.yml (digest job)");
    let job = &job["digest"];
    assert_eq!(
        text(&job["rules"][0]["if"]),
        "$CI_PIPELINE_SOURCE == \"schedule\""
    );
    let webhook = Webhook::start();
    let env = [
        ("SLACK_WEBHOOK_URL".to_string(), webhook.url.clone()),
        (
            "CI_PAGES_URL".to_string(),
            "https://example.gitlab.io/strategy".to_string(),
        ),
    ];
    for script in job["script"].as_sequence().expect("script") {
        run_step(&site, &text(script), &env);
    }
    assert_slack_payloads(&webhook.received(), "https://example.gitlab.io/strategy/");
}

/// A MIME message as Python's `email` parser (the standard library's, as
/// a mail client would) reads it: its headers and each part's type and
/// decoded text.
fn parse_mail(data: &[u8]) -> serde_json::Value {
    const READER: &str = r#"
import email, email.policy, json, sys
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
print(json.dumps({
    "from": m["From"], "to": m["To"], "subject": m["Subject"],
    "type": m.get_content_type(), "defects": [str(d) for d in m.defects],
    "parts": [{"type": p.get_content_type(), "charset": p.get_content_charset(),
               "text": p.get_content(), "defects": [str(d) for d in p.defects]}
              for p in m.iter_parts()],
}))
"#;
    let mut child = Command::new("python3")
        .args(["-c", READER])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(data)
        .expect("write");
    let out = child.wait_with_output().expect("python3");
    assert!(out.status.success(), "the mail does not parse");
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn gitlab_mails_the_html_digest_after_pages_and_reads_its_history() {
    use crate::support::git_spy::{read_history_from_git, GitSpy};
    use crate::support::smtp::SmtpServer;
    let site = site();
    let pipeline = block(".gitlab-ci.yml");
    let job = block(".gitlab-ci.yml (digest email job)");
    let job = &job["digest-email"];
    assert_eq!(
        text(&job["rules"][0]["if"]),
        "$CI_PIPELINE_SOURCE == \"schedule\""
    );
    assert_eq!(text(&job["stage"]), ".post", "after pages");
    let server = SmtpServer::start();
    let spy = GitSpy::new();
    let pages_url = "https://example.gitlab.io/strategy";
    let mut env: Vec<(String, String)> = spy.env().to_vec();
    env.extend(
        [
            ("CI_PAGES_URL", pages_url.to_string()),
            ("SMTP_URL", format!("smtp://127.0.0.1:{}", server.port())),
            ("SMTP_USER", "digest-bot".into()),
            ("SMTP_PASSWORD", "s3cret:pass".into()),
        ]
        .map(|(k, v)| (k.to_string(), v)),
    );
    for (k, v) in job["variables"].as_mapping().expect("variables") {
        env.push((text(k), text(v)));
    }
    // The scheduled pipeline: pages' build, then this job.
    for script in pipeline["pages"]["script"].as_sequence().expect("pages") {
        run_step(&site, &text(script), &env);
    }
    assert!(read_history_from_git(&spy.take()), "pages' build reads git");
    for script in job["script"].as_sequence().expect("script") {
        run_step(&site, &text(script), &env);
    }
    let calls = spy.take();
    assert!(
        !read_history_from_git(&calls),
        "the digests read the history pages' build kept: {calls:?}"
    );

    let mails = server.received();
    assert_eq!(mails.len(), 1, "one mail: {mails:?}");
    let mail = &mails[0];
    assert_eq!(
        mail.login,
        Some(("digest-bot".to_string(), "s3cret:pass".to_string())),
        "logged in with the masked variables"
    );
    assert_eq!(mail.from, "strategy@example.com");
    assert_eq!(mail.to, ["strategy@example.com"]);
    let parsed = parse_mail(&mail.data);
    assert_eq!(parsed["subject"], "Strategy digest");
    assert_eq!(parsed["from"], "throughline <strategy@example.com>");
    assert_eq!(parsed["type"], "multipart/alternative");
    assert_eq!(parsed["defects"], serde_json::json!([]), "{parsed:#}");
    let parts = parsed["parts"].as_array().expect("parts");
    let types: Vec<&str> = parts.iter().filter_map(|p| p["type"].as_str()).collect();
    assert_eq!(types, ["text/plain", "text/html"], "HTML last: preferred");
    for p in parts {
        assert_eq!(p["charset"], "utf-8");
        assert_eq!(p["defects"], serde_json::json!([]), "{p:#}");
    }
    // The HTML part is the digest, byte for byte, as the command prints it.
    let digest = |format: &str| {
        let run = site.run(&[
            "digest",
            "ROOT",
            "--today",
            "2026-11-24",
            "--format",
            format,
            "--base-url",
            &format!("{pages_url}/"),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    let html = digest("html");
    assert_eq!(parts[1]["text"], html.as_str());
    assert_eq!(parts[0]["text"], digest("markdown").as_str());
    assert!(html.contains("Credit lines") && html.contains(&format!("{pages_url}/bet-lending/")));
    // The hostile title and subject stay text in the mail.
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script"),
        "{html}"
    );
    assert!(!html.contains("<!here>"), "{html}");
}
