//! What the snapshot tests share (snapshot_api.rs, snapshot_pages.rs): a reply as its snapshot
//! text, and the redactions that make it the same on every run and every backend.
//!
//! The snapshots live in `tests/it/snapshots/` (insta's default place beside the test files) and
//! are compared byte for byte: a change of output fails the test, in CI too (`CI` is set there,
//! so insta writes nothing; `.ci/run` also sets `INSTA_UPDATE=no`). To accept an intended change,
//! run the tests locally and review it: `cargo insta review` (from `cargo install cargo-insta`)
//! over the `.snap.new` files insta leaves beside the old ones, or
//! `INSTA_UPDATE=always cargo test -p kejiyun-testkit --test it snapshot` and `git diff
//! crates/kejiyun-testkit/tests/it/snapshots`. A refactoring that promises no change in
//! behaviour must leave these files untouched.
//!
//! JSON bodies are not re-serialized through `serde_json::Value` (without `preserve_order` it
//! sorts keys, which would hide a change in field order, and floats could round-trip
//! differently): [`json_body`] indents the body as sent, keys in the server's order and every
//! scalar byte for byte, and replaces only what varies between runs: ids (database-assigned),
//! times, today's date, the random logins and tokens of the test accounts, and search scores
//! (BM25 figures move with the index's segments from run to run; the order of results stays).
//! A run that crosses midnight (UTC or Asia/Shanghai) may see a date it does not redact.

use std::sync::LazyLock;

use kejiyun_testkit::Reply;
use regex::{Captures, Regex};

/// Asserts the snapshot `name` of the answer to `request` (e.g. `GET /api/v1/me`): the request
/// line, status, content type and body, redacted. Every backend asserts the same snapshots.
pub fn assert_reply(name: &str, request: &str, reply: &Reply) {
    let content_type = reply
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let body = if content_type.starts_with("application/json") {
        json_body(&reply.text)
    } else {
        redact_text(&reply.text)
    };
    let text = format!(
        "{}\n{}\ncontent-type: {content_type}\n\n{body}\n",
        redact_text(request),
        reply.status
    );
    assert_text(name, &text);
}

/// Asserts the snapshot `name` of `text` (already redacted), in `tests/it/snapshots/`.
pub fn assert_text(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    // The names are unique without the module, and the same whichever file asserts them.
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

/// A JSON body indented two spaces a level (as `serde_json::to_string_pretty` would), keys in
/// the order sent and every scalar as sent, but for the redactions: a number or string under a
/// key `id`, `*_id`, `ids`, `*_ids` or `*_by` is `[id]` / `"[id]"`; every string goes through
/// [`redact_text`]; a fractional `score` is `[score]`. Panics on a body that is not compact
/// JSON (whitespace between tokens is a change of bytes the indentation would hide).
pub fn json_body(raw: &str) -> String {
    let mut p = Pretty {
        src: raw,
        pos: 0,
        out: String::new(),
    };
    p.value(None, 0);
    assert_eq!(p.pos, raw.len(), "bytes after the JSON value: {raw}");
    p.out
}

struct Pretty<'a> {
    src: &'a str,
    pos: usize,
    out: String,
}

impl<'a> Pretty<'a> {
    fn peek(&self) -> u8 {
        let b = *self
            .src
            .as_bytes()
            .get(self.pos)
            .unwrap_or_else(|| panic!("JSON ends early: {}", self.src));
        assert!(
            !b.is_ascii_whitespace(),
            "whitespace at byte {}: not compact JSON: {}",
            self.pos,
            self.src
        );
        b
    }

    fn eat(&mut self, b: u8) -> bool {
        let here = self.peek() == b;
        if here {
            self.pos += 1;
        }
        here
    }

    fn newline(&mut self, depth: usize) {
        self.out.push('\n');
        self.out.push_str(&"  ".repeat(depth));
    }

    /// A value under `key` (the enclosing object's key; array items inherit their array's).
    fn value(&mut self, key: Option<&str>, depth: usize) {
        let is_id = key.is_some_and(|k| {
            k == "id"
                || k == "ids"
                || k.ends_with("_id")
                || k.ends_with("_ids")
                || k.ends_with("_by")
        });
        match self.peek() {
            b'{' => self.container(b'}', None, depth),
            b'[' => self.container(b']', key, depth),
            b'"' => {
                let s = self.string();
                let s = if is_id {
                    "\"[id]\"".to_owned()
                } else {
                    redact_text(s)
                };
                self.out.push_str(&s);
            }
            _ => {
                let start = self.pos;
                while !matches!(
                    self.src.as_bytes().get(self.pos),
                    None | Some(b',' | b'}' | b']')
                ) {
                    self.pos += 1;
                }
                let s = &self.src[start..self.pos];
                let number = s.bytes().all(|b| b.is_ascii_digit() || b == b'-');
                let number = number && !s.is_empty();
                self.out.push_str(match key {
                    _ if is_id && number => "[id]",
                    // Search scores (BM25, floats) move with the index's segments and deleted
                    // documents from run to run; the order of the results is kept. (A need's
                    // completeness `score` is an integer, and stays.)
                    Some("score") if s.contains(['.', 'e', 'E']) => "[score]",
                    _ => s,
                });
            }
        }
    }

    /// An object (`close` is `}`: each item has a key) or an array (`]`: items inherit `key`).
    fn container(&mut self, close: u8, key: Option<&str>, depth: usize) {
        self.out.push(char::from(self.src.as_bytes()[self.pos]));
        self.pos += 1;
        if !self.eat(close) {
            loop {
                self.newline(depth + 1);
                let mut item_key = key;
                if close == b'}' {
                    let k = self.string();
                    self.out.push_str(k);
                    assert!(self.eat(b':'), "no ':' at byte {}: {}", self.pos, self.src);
                    self.out.push_str(": ");
                    item_key = Some(k.trim_matches('"'));
                }
                self.value(item_key, depth + 1);
                if !self.eat(b',') {
                    break;
                }
                self.out.push(',');
            }
            let end = char::from(close);
            assert!(
                self.eat(close),
                "no '{end}' at byte {}: {}",
                self.pos,
                self.src
            );
            self.newline(depth);
        }
        self.out.push(char::from(close));
    }

    /// A string token, quotes and escapes as sent.
    fn string(&mut self) -> &'a str {
        let start = self.pos;
        assert!(self.eat(b'"'), "no string at byte {start}: {}", self.src);
        let bytes = self.src.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'"' => return &self.src[start..self.pos],
                _ => {}
            }
        }
        panic!("unterminated string at byte {start}: {}", self.src)
    }
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"))
}

/// Date-times (`2026-12-06T05:01:07Z`, `2026-12-06 13:01`), in JSON or on a page.
static TIME: LazyLock<Regex> =
    LazyLock::new(|| re(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?"));
/// Digit runs (the random logins are `139` and eight digits).
static DIGITS: LazyLock<Regex> = LazyLock::new(|| re(r"\d+"));
/// The random logins of test admins, and session or API token secrets.
static SECRETS: LazyLock<Regex> =
    LazyLock::new(|| re(r"admin\d+@admins\.test|kjy_[A-Za-z0-9_-]{8,}"));
/// An id in a path (`/services/12`, `/admin/moderation/tech_worker/3/approve`; region codes are
/// not ids), in a
/// query (`?need_id=3`) or in a text (`报价 #1`, but not `&#39;`).
static PATH_ID: LazyLock<Regex> =
    LazyLock::new(|| re(r"/([a-z][a-z_-]*)/(\d+)|([a-z_]*id=)\d+|(^|[^&])#\d+"));

/// The content version of a static file's URL (`/static/stats.js?v=30778bc30a6527cf`), which
/// changes with the file.
static ASSET_VERSION: LazyLock<Regex> = LazyLock::new(|| re(r"\?v=[0-9a-f]{16}"));

/// A page's date-range link (`from=2026-10-01&#38;to=2026-12-06`: the dashboard's quick ranges
/// move with the calendar).
static PAGE_RANGE: LazyLock<Regex> =
    LazyLock::new(|| re(r"from=\d{4}-\d{2}-\d{2}(&amp;|&#38;)to=\d{4}-\d{2}-\d{2}"));

/// Today (and this month) in UTC and in Asia/Shanghai, as the pages and the API write them.
static TODAY: LazyLock<Vec<(String, &'static str)>> = LazyLock::new(|| {
    let utc = kejiyun_core::time::Clock::now(&kejiyun_core::time::SystemClock).to_utc();
    let shanghai = utc.with_timezone(
        &chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| panic!("+08:00")),
    );
    let mut out = Vec::new();
    for day in [utc.date_naive(), shanghai.date_naive()] {
        out.push((day.format("%Y-%m-%d").to_string(), "[today]"));
        out.push((day.format("%Y年%-m月%-d日").to_string(), "[today]"));
    }
    for day in [utc.date_naive(), shanghai.date_naive()] {
        out.push((day.format("%Y-%m").to_string(), "[this month]"));
        out.push((day.format("%Y年%-m月").to_string(), "[this month]"));
    }
    out
});

/// The redactions of any text (a JSON string, a page): static files' versions, date-times,
/// today and this month, the random logins and tokens, and ids in paths.
pub fn redact_text(s: &str) -> String {
    let s = ASSET_VERSION.replace_all(s, "?v=[version]");
    let s = PAGE_RANGE.replace_all(&s, "from=[date]${1}to=[date]");
    let s = TIME.replace_all(&s, "[time]");
    let mut s = s.into_owned();
    for (text, placeholder) in TODAY.iter() {
        s = s.replace(text.as_str(), placeholder);
    }
    let s = DIGITS.replace_all(&s, |c: &Captures| {
        let d = &c[0];
        if d.len() == 11 && d.starts_with("139") {
            "[login]".to_owned()
        } else {
            d.to_owned()
        }
    });
    let s = SECRETS.replace_all(&s, |c: &Captures| {
        if c[0].starts_with("kjy_") {
            "[token]"
        } else {
            "[admin login]"
        }
    });
    PATH_ID
        .replace_all(&s, |c: &Captures| {
            if let Some(segment) = c.get(1) {
                match segment.as_str() {
                    "regions" | "stats" => c[0].to_owned(),
                    segment => format!("/{segment}/[id]"),
                }
            } else if let Some(param) = c.get(3) {
                format!("{}[id]", param.as_str())
            } else {
                format!("{}#[id]", &c[4])
            }
        })
        .into_owned()
}

/// The `<main>` element of a page (what the page is about: the site header, navigation and
/// footer are the same on every page), redacted like any text and then the ids of the markup:
/// `data-id`, element ids like `close-3` (and the `for`/`aria-describedby` naming them),
/// numeric `<option>` values, the `next=%2Fservices%2F1` of a login link; the CSRF field.
pub fn page_fragment(html: &str) -> String {
    let start = html
        .find("<main")
        .unwrap_or_else(|| panic!("no <main> in {html}"));
    let end = html[start..]
        .find("</main>")
        .map(|e| start + e + "</main>".len())
        .unwrap_or_else(|| panic!("no </main> in {html}"));
    let mut out = redact_text(&html[start..end]);
    for (pattern, replacement) in MARKUP_IDS.iter() {
        out = pattern.replace_all(&out, *replacement).into_owned();
    }
    out
}

/// See [`page_fragment`].
static MARKUP_IDS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    vec![
        (re(r#"data-id="\d+""#), r#"data-id="[id]""#),
        (
            re(r#"\b(id|for|aria-describedby)="([a-z_-]+)-\d+""#),
            r#"$1="$2-[id]""#,
        ),
        (re(r#"<option value="\d+""#), r#"<option value="[id]""#),
        (re(r"(%2F[a-z][a-z_-]*%2F)\d+"), "$1[id]"),
        (
            re(r#"name="csrf_token" value="[^"]*""#),
            r#"name="csrf_token" value="[csrf]""#,
        ),
    ]
});

#[test]
fn json_body_keeps_order_and_bytes_and_redacts_what_varies() {
    let raw = r#"{"z":1,"id":7,"owner_id":"12","a":[{"ids":[1,2]},"x\"y"],"e":{},"f":[],"t":"2026-01-02T03:04:05Z","url":"/needs/12?need_id=3","note":"报价 #1 &#39;","by_id":1,"made_by":2,"r":"/regions/511623","n":-1.50e3,"score":0.5,"x":{"score":7}}"#;
    assert_eq!(
        json_body(raw),
        r#"{
  "z": 1,
  "id": [id],
  "owner_id": "[id]",
  "a": [
    {
      "ids": [
        [id],
        [id]
      ]
    },
    "x\"y"
  ],
  "e": {},
  "f": [],
  "t": "[time]",
  "url": "/needs/[id]?need_id=[id]",
  "note": "报价 #[id] &#39;",
  "by_id": [id],
  "made_by": [id],
  "r": "/regions/511623",
  "n": -1.50e3,
  "score": [score],
  "x": {
    "score": 7
  }
}"#
    );
}

#[test]
#[should_panic(expected = "not compact JSON")]
fn json_body_refuses_whitespace_between_tokens() {
    json_body(r#"{"a": 1}"#);
}
