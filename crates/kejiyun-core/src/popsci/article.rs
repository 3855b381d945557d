//! The body of a popular-science article (科普文章): rich text from an editor, or plain text
//! pasted by a farmer, reduced to a small allow-list of HTML that is safe to render as is.
//!
//! Everything goes through ammonia (an html5ever parse and an allow-list walk), never through
//! string filters: what is stored is serialized from a parse tree, so odd quoting, entities or
//! broken nesting in the input cannot carry anything past the allow-list.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

use crate::DomainError;
use crate::text::is_bidi_control;
use crate::uploads::UploadId;

/// Longest raw input accepted, in bytes: refused before parsing so that a huge paste costs
/// nothing. 50,000 Chinese characters are 150 KB; the rest is room for markup.
pub const RAW_MAX_BYTES: usize = 400_000;
/// Fewest characters of visible text.
pub const TEXT_MIN: usize = 20;
/// Most characters of visible text.
pub const TEXT_MAX: usize = 50_000;
/// Deepest element nesting accepted (as estimated before parsing). html5ever's tree
/// building is quadratic in nesting depth: 30,000 nested `<div>`s fit in the byte limit and
/// take tens of seconds. Real articles, Word pastes included, stay far below.
pub const NESTING_MAX: usize = 200;
/// Most tags and text runs inside tables (as estimated before parsing). Content misplaced
/// in a table costs time quadratic in its amount: 80,000 `x<br>` in one `<table>` take seconds.
/// A Word table of 100 rows by 6 columns is about 5,500.
pub const TABLE_TOKENS_MAX: usize = 10_000;

const FIELD: &str = "body";

/// A sanitized article body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// The HTML to store and render as is.
    pub html: String,
    /// Characters (not bytes) of visible text: `plain_text(&html).chars().count()`.
    pub text_len: usize,
}

/// Sanitizes an article body and checks its length rules.
///
/// Input without any `<` is taken as plain text: each non-blank line becomes a paragraph.
/// Anything else is parsed as HTML and reduced to the allow-list (see `CLEANER`). Input
/// whose parse would be slow (deep nesting, masses of content inside tables) is refused first.
pub fn sanitize_article(raw: &str) -> Result<Article, DomainError> {
    if raw.len() > RAW_MAX_BYTES {
        return Err(DomainError::invalid(FIELD, "文章内容过长"));
    }
    if raw.chars().any(is_bidi_control) {
        return Err(bidi_error());
    }
    let raw = normalize_controls(raw);
    let source = if raw.contains('<') {
        parse_cost(&raw).map_err(TooCostly::error)?;
        Cow::Borrowed(raw.as_str())
    } else {
        Cow::Owned(paragraphs(&raw))
    };
    let cleaned = CLEANER.clean(&source).to_string();
    let html = drop_unsourced_images(&cleaned).trim().to_owned();
    // `&#x202E;` passes the raw check and is a real override once parsed; the serializer
    // writes it back as the character itself, so it shows up here.
    if html.chars().any(is_bidi_control) {
        return Err(bidi_error());
    }
    let text_len = visible_text(&html).chars().count();
    if text_len < TEXT_MIN {
        return Err(DomainError::invalid(FIELD, "文章正文至少 20 个字"));
    }
    if text_len > TEXT_MAX {
        return Err(DomainError::invalid(FIELD, "文章正文不能超过 5 万字"));
    }
    Ok(Article { html, text_len })
}

/// The visible text of stored article HTML: tags stripped (block boundaries become a space),
/// entities decoded, whitespace collapsed to single spaces. For search indexing and the
/// banned-word check.
pub fn plain_text(html: &str) -> String {
    if parse_cost(html).is_err() {
        // Never stored HTML (`sanitize_article` refused it); not worth seconds of parsing.
        // Tags are cut naively: the result is only indexed and checked, never rendered.
        return visible_text(html);
    }
    // Re-cleaning gives the canonical form `visible_text` relies on (and drops script and
    // style contents, comments) even for HTML that did not come from `sanitize_article`.
    let canonical = CLEANER.clean(html).to_string();
    visible_text(&drop_unsourced_images(&canonical))
}

fn bidi_error() -> DomainError {
    DomainError::invalid(
        FIELD,
        "文章正文包含不允许的文字方向控制字符（如从右到左覆盖）",
    )
}

/// Line-ish control characters become `\n` (Word's plain-text copy uses U+000B for a manual
/// line break); other control characters are dropped: they are invisible, and NUL cannot be
/// stored in PostgreSQL.
fn normalize_controls(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\u{0B}' | '\u{0C}' | '\u{2028}' | '\u{2029}' => out.push('\n'),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Why [`parse_cost`] refuses to hand input to the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TooCostly {
    /// Nesting deeper than [`NESTING_MAX`].
    Nested,
    /// More than [`TABLE_TOKENS_MAX`] tags and text runs inside tables.
    TableContent,
}

impl TooCostly {
    fn error(self) -> DomainError {
        DomainError::invalid(
            FIELD,
            match self {
                Self::Nested => "文章排版嵌套层级过深，请简化格式后再提交",
                Self::TableContent => "文章里的表格内容过多，请拆分或简化表格后再提交",
            },
        )
    }
}

/// One cheap pass over `html` before the real parse, estimating the two things that make
/// html5ever's tree building quadratic: nesting depth (scope checks walk the open elements),
/// and content inside a table (misplaced content is moved before the table, and finding the
/// table among its siblings is a linear scan each time).
///
/// Both estimates only err upwards. Every start tag of a non-void element is pushed (also those
/// the parser ignores, or inside comments and raw text), and an element is popped only where
/// the parser certainly closes it too: an end tag naming the innermost open element, or a start
/// tag implicitly closing it (`<p>` after `<p>`, `<li>` after `<li>`, a block after `<p>` …).
/// While a table is open every tag and text run counts, in cells or not. Sloppy HTML can only
/// be overestimated.
fn parse_cost(html: &str) -> Result<(), TooCostly> {
    let bytes = html.as_bytes();
    let mut open: Vec<&[u8]> = Vec::new();
    let mut tables_open = 0usize;
    let mut table_tokens = 0usize;
    let mut count_in_table = |tables_open: usize| {
        if tables_open > 0 {
            table_tokens += 1;
        }
        if table_tokens > TABLE_TOKENS_MAX {
            Err(TooCostly::TableContent)
        } else {
            Ok(())
        }
    };
    let is_table = |name: &[u8]| name.eq_ignore_ascii_case(b"table");
    let is_text = |segment: &[u8]| {
        segment
            .iter()
            .any(|b| !matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' '))
    };
    let mut text_start = 0;
    let mut i = 0;
    while let Some(lt) = bytes[i..].iter().position(|&b| b == b'<').map(|p| p + i) {
        let closing = bytes.get(lt + 1) == Some(&b'/');
        let name_start = lt + 1 + usize::from(closing);
        // As in the tokenizer: only `<` or `</` followed by a letter opens a tag.
        if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            i = lt + 1;
            continue;
        }
        if is_text(&bytes[text_start..lt]) {
            count_in_table(tables_open)?;
        }
        count_in_table(tables_open)?;
        let name_end = bytes[name_start..]
            .iter()
            .position(|&b| matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ' | b'/' | b'>'))
            .map_or(bytes.len(), |p| p + name_start);
        let name = &bytes[name_start..name_end];
        // The first `>` ends the tag here, even inside a quoted attribute value: ending early
        // can only make this pass see more tags than the tokenizer does, never fewer.
        i = bytes[name_end..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(bytes.len(), |p| p + name_end + 1);
        text_start = i;
        if closing {
            if open
                .last()
                .is_some_and(|top| top.eq_ignore_ascii_case(name))
            {
                open.pop();
                if is_table(name) {
                    tables_open -= 1;
                }
            }
        } else if !is_void(name) {
            // `<tr>` closes an open cell, then the row around it.
            while open.last().is_some_and(|top| implicitly_closes(top, name)) {
                open.pop();
            }
            open.push(name);
            if is_table(name) {
                tables_open += 1;
            }
            if open.len() > NESTING_MAX {
                return Err(TooCostly::Nested);
            }
        }
    }
    if is_text(&bytes[text_start..]) {
        count_in_table(tables_open)?;
    }
    Ok(())
}

/// Elements the parser never leaves open.
fn is_void(name: &[u8]) -> bool {
    const VOID: [&str; 19] = [
        "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
        "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
    ];
    VOID.iter().any(|v| v.as_bytes().eq_ignore_ascii_case(name))
}

/// Whether the start tag `name` certainly closes the open element `top` when `top` is the
/// innermost element this pass knows of. Only rules that still hold when the parser has
/// reopened formatting elements (`<b>` …) above `top`: the scope checks for `p`, `li`,
/// `dd`/`dt` and table cells look past those. (Headings and `option` check only the current
/// node, so they are left out.)
fn implicitly_closes(top: &[u8], name: &[u8]) -> bool {
    let is = |n: &[u8], set: &[&str]| set.iter().any(|s| s.as_bytes().eq_ignore_ascii_case(n));
    // Start tags that close an open `p` ("close a p element" in the tree-building rules).
    #[rustfmt::skip]
    const CLOSES_P: [&str; 33] = [
        "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir",
        "div", "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "main",
        "menu", "nav", "ol", "p", "search", "section", "summary", "ul", "h1", "h2", "h3", "h4",
        "h5", "h6", "pre", "listing",
    ];
    (is(top, &["p"]) && is(name, &CLOSES_P))
        || (is(top, &["li"]) && is(name, &["li"]))
        || (is(top, &["dd", "dt"]) && is(name, &["dd", "dt"]))
        || (is(top, &["tr"]) && is(name, &["tr"]))
        || (is(top, &["td", "th"]) && is(name, &["td", "th", "tr"]))
}

/// Plain text to paragraphs: every non-blank line is one `<p>`, escaped.
fn paragraphs(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        out.push_str("<p>");
        for c in line.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                c => out.push(c),
            }
        }
        out.push_str("</p>");
    }
    out
}

/// The allow-list. Built from `Builder::empty()` with every setting given explicitly, so a
/// change of ammonia's defaults cannot widen it.
static CLEANER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&'static str> = [
        "p",
        "br",
        "h2",
        "h3",
        "h4",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "figure",
        "figcaption",
        "hr",
        "code",
        "pre",
        "sub",
        "sup",
    ]
    .into();
    // Removed with their content. Without this the text of a dropped `<style>` or `<iframe>`
    // (parsed as raw text) would show up in the article.
    let clean_content: HashSet<&'static str> = [
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "noscript",
        "noembed",
        "noframes",
        "template",
        "textarea",
        "select",
        "title",
        "xmp",
        "plaintext",
        "svg",
    ]
    .into();
    let cell: HashSet<&'static str> = ["colspan", "rowspan"].into();
    let tag_attributes: HashMap<&'static str, HashSet<&'static str>> = [
        ("a", ["href"].into()),
        ("img", ["src", "alt", "width", "height"].into()),
        ("th", cell.clone()),
        ("td", cell),
    ]
    .into();
    let mut b = Builder::empty();
    b.tags(tags)
        .clean_content_tags(clean_content)
        .tag_attributes(tag_attributes)
        .tag_attribute_values(HashMap::new())
        .set_tag_attribute_values(HashMap::new())
        .generic_attributes(HashSet::new())
        .generic_attribute_prefixes(HashSet::new())
        .allowed_classes(HashMap::new())
        // `javascript:`, `data:`, `vbscript:` … are refused by omission (the scheme is
        // compared after URL parsing, so case, tabs and entities do not matter).
        .url_schemes(["http", "https", "mailto"].into())
        .url_relative(UrlRelative::PassThrough)
        // Authors link anywhere: no opener access, no referrer, no search-engine credit.
        .link_rel(Some("noopener noreferrer nofollow"))
        .strip_comments(true)
        .id_prefix(None)
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("img", "src") => is_uploaded_image(value).then_some(Cow::Borrowed(value)),
            ("img", "width" | "height") => is_pixel_count(value).then_some(Cow::Borrowed(value)),
            _ => Some(Cow::Borrowed(value)),
        });
    b
});

/// `/files/<id>` or `/files/<id>/thumb`: only images uploaded to this site are shown, so an
/// article cannot track its readers through a third-party image.
fn is_uploaded_image(src: &str) -> bool {
    let Some(rest) = src.strip_prefix("/files/") else {
        return false;
    };
    let id = rest.strip_suffix("/thumb").unwrap_or(rest);
    UploadId::parse(id).is_some()
}

fn is_pixel_count(value: &str) -> bool {
    (1..=4).contains(&value.len()) && value.bytes().all(|c| c.is_ascii_digit())
}

/// A piece of ammonia's output: text (entities still encoded) or a whole tag (`<…>`).
enum Piece<'a> {
    Text(&'a str),
    Tag(&'a str),
}

/// Splits serialized, sanitized HTML into text and tags. Only valid for ammonia's output:
/// html5ever escapes `<` and `>` in text and in attribute values, comments are stripped and
/// no raw-text element (script, style …) is allowed, so every `<` opens a tag and the next
/// `>` closes it.
fn pieces(canonical: &str) -> impl Iterator<Item = Piece<'_>> {
    let mut rest = canonical;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let piece = match rest.find('<') {
            Some(0) => {
                let end = rest.find('>').map_or(rest.len(), |i| i + 1);
                let (tag, tail) = rest.split_at(end);
                rest = tail;
                Piece::Tag(tag)
            }
            Some(lt) => {
                let (text, tail) = rest.split_at(lt);
                rest = tail;
                Piece::Text(text)
            }
            None => Piece::Text(std::mem::take(&mut rest)),
        };
        Some(piece)
    })
}

/// `p` of `<p>`, `</p>` or `<p attr="…">`.
fn tag_name(tag: &str) -> &str {
    let inner = tag.trim_start_matches('<').trim_start_matches('/');
    let end = inner
        .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        .unwrap_or(inner.len());
    &inner[..end]
}

/// Removes `<img>` tags left without a `src` (the attribute filter dropped a foreign one):
/// an image that is not ours is not shown at all, rather than as a broken frame.
fn drop_unsourced_images(canonical: &str) -> Cow<'_, str> {
    // Attribute values have `"` escaped, so ` src="` is only ever a real attribute.
    let unsourced = |tag: &str| tag_name(tag) == "img" && !tag.contains(" src=\"");
    if !pieces(canonical).any(|p| matches!(p, Piece::Tag(t) if unsourced(t))) {
        return Cow::Borrowed(canonical);
    }
    let mut out = String::with_capacity(canonical.len());
    for piece in pieces(canonical) {
        match piece {
            Piece::Tag(t) if unsourced(t) => {}
            Piece::Tag(s) | Piece::Text(s) => out.push_str(s),
        }
    }
    Cow::Owned(out)
}

/// Tags whose edges separate words: without a space `<p>a</p><p>b</p>` would read `ab`
/// (and a banned word could be formed across two paragraphs).
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "br"
            | "h2"
            | "h3"
            | "h4"
            | "blockquote"
            | "ul"
            | "ol"
            | "li"
            | "img"
            | "table"
            | "thead"
            | "tbody"
            | "tr"
            | "th"
            | "td"
            | "figure"
            | "figcaption"
            | "hr"
            | "pre"
    )
}

/// The text of canonical (ammonia-serialized) HTML, whitespace collapsed.
fn visible_text(canonical: &str) -> String {
    let mut raw = String::with_capacity(canonical.len());
    for piece in pieces(canonical) {
        match piece {
            Piece::Tag(t) if is_block(tag_name(t)) => raw.push(' '),
            Piece::Tag(_) => {}
            Piece::Text(t) => decode_entities(t, &mut raw),
        }
    }
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decodes the entities html5ever's serializer writes in text (`&amp;` `&lt;` `&gt;` `&nbsp;`,
/// and `&quot;` for good measure). It writes every other `&` as `&amp;`, so nothing else can
/// look like an entity.
fn decode_entities(text: &str, out: &mut String) {
    const ENTITIES: [(&str, char); 5] = [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&nbsp;", '\u{A0}'),
        ("&quot;", '"'),
    ];
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        match ENTITIES.iter().find(|(name, _)| tail.starts_with(name)) {
            Some((name, c)) => {
                out.push(*c);
                rest = &tail[name.len()..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMG: &str = "/files/0123456789abcdef0123456789abcdef";
    /// 24 characters of visible text, enough to pass the minimum on its own.
    const BODY: &str = "柑橘黄龙病是柑橘生产上危害最大的病害，目前无药可治。";

    fn ok(raw: &str) -> Article {
        sanitize_article(raw).unwrap_or_else(|e| panic!("{raw:?} refused: {e}"))
    }

    /// Sanitizes `fragment` after a paragraph of filler and returns the HTML.
    fn clean(fragment: &str) -> String {
        ok(&format!("<p>{BODY}</p>{fragment}")).html
    }

    fn message(raw: &str) -> String {
        match sanitize_article(raw) {
            Err(DomainError::Invalid { field, message }) => {
                assert_eq!(field, "body");
                message
            }
            other => panic!("{raw:?}: expected a validation error, got {other:?}"),
        }
    }

    fn assert_inert(html: &str) {
        let lower = html.to_ascii_lowercase();
        for bad in [
            "<script",
            "<svg",
            "<iframe",
            "<style",
            "onerror",
            "onload",
            "onclick",
            "javascript",
            "data:",
            "style=",
            "alert",
        ] {
            assert!(!lower.contains(bad), "{bad:?} survived in {html:?}");
        }
    }

    #[test]
    fn script_is_removed_with_its_content() {
        let html = clean("<script>alert(1)</script><SCRIPT SRC=//evil.example/x.js></SCRIPT>");
        assert_eq!(html, format!("<p>{BODY}</p>"));
    }

    #[test]
    fn classic_xss_vectors_are_neutralised() {
        let vectors = [
            "<img src=x onerror=alert(1)>",
            "<IMG SRC=\"javascript:alert(1)\">",
            "<a href=\"javascript:alert(1)\">点我</a>",
            "<a href=\"JaVaScRiPt:alert(1)\">点我</a>",
            "<a href=\"java\tscript:alert(1)\">点我</a>",
            "<a href=\" &#106;avascript&colon;alert(1)\">点我</a>",
            "<a href=\"vbscript:alert(1)\">点我</a>",
            "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">点我</a>",
            "<svg onload=alert(1)><circle r=1 /></svg>",
            "<svg><script>alert(1)</script></svg>",
            "<iframe src=\"https://evil.example/\">alert(1)</iframe>",
            "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>",
            "<style>body{background:url(javascript:alert(1))}</style>",
            "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
            "<p style=\"background:url(javascript:alert(1))\">文字</p>",
            "<p onclick=\"alert(1)\">文字</p>",
            "<object data=\"javascript:alert(1)\"></object>",
            "<embed src=\"javascript:alert(1)\">",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
            "<form action=\"javascript:alert(1)\"><button>发送</button></form>",
            "<!--<img src=x onerror=alert(1)>-->",
            "<div id=\"x\" class=\"y\" data-x=\"1\">文字</div>",
        ];
        for v in vectors {
            let html = clean(v);
            assert_inert(&html);
            assert!(!html.contains(" id="), "{html}");
            assert!(!html.contains(" class="), "{html}");
        }
    }

    #[test]
    fn javascript_links_keep_their_text_but_lose_the_href() {
        assert_eq!(
            clean("<p><a href=\"JaVaScRiPt:alert(1)\">点我</a></p>"),
            format!("<p>{BODY}</p><p><a rel=\"noopener noreferrer nofollow\">点我</a></p>"),
        );
    }

    #[test]
    fn style_and_iframe_contents_are_not_shown_as_text() {
        let html = clean("<style>p { color: red }</style><iframe>里面的字</iframe>");
        assert_eq!(html, format!("<p>{BODY}</p>"));
    }

    #[test]
    fn foreign_images_are_removed_entirely() {
        for src in [
            "https://evil.example/track.png",
            "//evil.example/track.png",
            "/files/0123456789ABCDEF0123456789ABCDEF",
            "/files/0123456789abcdef0123456789abcde",
            "/files/0123456789abcdef0123456789abcdef/../../etc/passwd",
            "/files/0123456789abcdef0123456789abcdef?x=1",
            "/api/v1/logout",
            "x",
        ] {
            let html = clean(&format!("<p><img src=\"{src}\" alt=\"图\">文字</p>"));
            assert_eq!(html, format!("<p>{BODY}</p><p>文字</p>"), "{src}");
        }
    }

    #[test]
    fn uploaded_images_stay() {
        let html = clean(&format!(
            "<figure><img src=\"{IMG}\" alt=\"病叶\" width=\"640\" height=\"480\" \
             style=\"float:left\" class=\"pic\" onclick=\"x()\"><figcaption>图 1</figcaption></figure>\
             <p><img src=\"{IMG}/thumb\" width=\"100%\"></p>"
        ));
        assert_eq!(
            html,
            format!(
                "<p>{BODY}</p><figure><img src=\"{IMG}\" alt=\"病叶\" width=\"640\" height=\"480\">\
                 <figcaption>图 1</figcaption></figure><p><img src=\"{IMG}/thumb\"></p>"
            )
        );
    }

    #[test]
    fn allowed_markup_survives() {
        let raw = format!(
            "<h2>一、症状</h2><p>{BODY}<br><strong>注意</strong><b>b</b><em>em</em><i>i</i>\
             <u>u</u><s>s</s><code>pH</code>H<sub>2</sub>O m<sup>2</sup></p>\
             <h3>小标题</h3><h4>更小</h4><blockquote>引用</blockquote>\
             <ul><li>一</li></ul><ol><li>二</li></ol><hr><pre>代码</pre>\
             <table><thead><tr><th colspan=\"2\">表头</th></tr></thead>\
             <tbody><tr><td rowspan=\"1\">甲</td><td>乙</td></tr></tbody></table>"
        );
        assert_eq!(ok(&raw).html, raw);
    }

    #[test]
    fn links_get_rel_and_lose_target() {
        let html = clean(
            "<p><a href=\"https://www.moa.gov.cn/\" target=\"_blank\" rel=\"opener\" \
             title=\"农业农村部\">农业农村部</a> <a href=\"mailto:kp@example.cn\">邮件</a> \
             <a href=\"/popsci/12\">相关文章</a></p>",
        );
        assert_eq!(
            html,
            format!(
                "<p>{BODY}</p><p>\
                 <a href=\"https://www.moa.gov.cn/\" rel=\"noopener noreferrer nofollow\">农业农村部</a> \
                 <a href=\"mailto:kp@example.cn\" rel=\"noopener noreferrer nofollow\">邮件</a> \
                 <a href=\"/popsci/12\" rel=\"noopener noreferrer nofollow\">相关文章</a></p>"
            )
        );
    }

    #[test]
    fn disallowed_tags_are_unwrapped_keeping_their_text() {
        let html = clean("<div><span style=\"color:red\">红字</span><h1>大标题</h1></div>");
        assert_eq!(html, format!("<p>{BODY}</p>红字大标题"));
    }

    #[test]
    fn plain_text_becomes_paragraphs() {
        let a =
            ok("第一段：柑橘黄龙病的症状。\r\n\r\n  第二段：a & b > c，防治要点。\n第三段\n\n\n");
        assert_eq!(
            a.html,
            "<p>第一段：柑橘黄龙病的症状。</p><p>第二段：a &amp; b &gt; c，防治要点。</p><p>第三段</p>"
        );
        assert_eq!(
            plain_text(&a.html),
            "第一段：柑橘黄龙病的症状。 第二段：a & b > c，防治要点。 第三段"
        );
        // Typed literally, so shown literally.
        let a = ok("写作 &lt;b&gt; 的人并不想要粗体，只是照抄了网页源码而已");
        assert_eq!(
            a.html,
            "<p>写作 &amp;lt;b&amp;gt; 的人并不想要粗体，只是照抄了网页源码而已</p>"
        );
    }

    #[test]
    fn plain_text_with_a_less_than_sign_is_parsed_as_html_and_stays_text() {
        let a = ok("温度<5度时柑橘容易受冻，要提前做好防寒措施，比如覆盖稻草。");
        assert_eq!(
            a.html,
            "温度&lt;5度时柑橘容易受冻，要提前做好防寒措施，比如覆盖稻草。"
        );
    }

    #[test]
    fn control_characters_are_dropped_or_become_line_breaks() {
        let a = ok("第一行有\u{0}空字符，还有一些别的内容\u{0B}第二行是Word的换行\u{7F}");
        assert_eq!(
            a.html,
            "<p>第一行有空字符，还有一些别的内容</p><p>第二行是Word的换行</p>"
        );
        assert!(!ok(&format!("<p>{BODY}\u{1}</p>")).html.contains('\u{1}'));
    }

    #[test]
    fn length_rules_count_visible_characters() {
        let nineteen = "一二三四五六七八九十一二三四五六七八九";
        assert_eq!(nineteen.chars().count(), 19);
        assert_eq!(message(nineteen), "文章正文至少 20 个字");
        // Markup does not count towards the minimum.
        assert_eq!(
            message(&format!(
                "<p><strong>{nineteen}</strong></p><img src=\"{IMG}\">"
            )),
            "文章正文至少 20 个字"
        );
        assert_eq!(
            message("<script>很长很长很长很长很长很长很长很长很长很长</script>"),
            "文章正文至少 20 个字"
        );
        let twenty = format!("{nineteen}十");
        let a = ok(&format!("<h2><em>{twenty}</em></h2>"));
        // Characters, not bytes (60 here).
        assert_eq!(a.text_len, 20);

        let max = "字".repeat(TEXT_MAX);
        assert_eq!(ok(&max).text_len, TEXT_MAX);
        assert_eq!(message(&format!("{max}字")), "文章正文不能超过 5 万字");
    }

    #[test]
    fn text_len_counts_decoded_entities_and_block_breaks() {
        let a = ok("<p>a&amp;b&nbsp;c &lt;d&gt;</p><p>一二三四五六七八九十</p>");
        assert_eq!(plain_text(&a.html), "a&b c <d> 一二三四五六七八九十");
        assert_eq!(a.text_len, 20);
    }

    #[test]
    fn oversized_raw_input_is_refused_before_parsing() {
        let raw = format!("<p>{}</p>", "<b></b>".repeat(RAW_MAX_BYTES / 7 + 1));
        assert!(raw.len() > RAW_MAX_BYTES);
        assert_eq!(message(&raw), "文章内容过长");
    }

    #[test]
    fn direction_overrides_are_refused_even_as_entities() {
        for raw in [
            format!("<p>{BODY}\u{202E}gpj.exe</p>"),
            format!("{BODY}\u{2066}"),
            format!("<p>{BODY}&#x202E;gpj.exe</p>"),
            format!("<p>{BODY}<img src=\"{IMG}\" alt=\"&#8238;x\"></p>"),
        ] {
            assert!(message(&raw).contains("文字方向控制字符"), "{raw:?}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        for open in ["<blockquote>", "<div>", "<ul><li>", "<b>", "<span>", "<x>"] {
            let raw = format!("{}{BODY}", open.repeat(RAW_MAX_BYTES / open.len() - 100));
            assert!(raw.len() <= RAW_MAX_BYTES);
            assert_eq!(
                message(&raw),
                "文章排版嵌套层级过深，请简化格式后再提交",
                "{open}"
            );
            // Not parsed either when asked for its text.
            assert!(plain_text(&raw).ends_with(BODY));
        }
        // Tags the parser ignores still count: this pass may overestimate, never miss.
        let raw = format!("{}{BODY}", "<p><b><div></div><i></p>".repeat(100));
        assert!(sanitize_article(&raw).is_err());
        let raw = format!("{}{BODY}", "<span><div></span>".repeat(150));
        assert!(sanitize_article(&raw).is_err());
    }

    #[test]
    fn ordinary_nesting_and_long_flat_articles_pass() {
        let depth = NESTING_MAX - 1;
        let nested = format!(
            "{}{BODY}{}",
            "<blockquote>".repeat(depth),
            "</blockquote>".repeat(depth)
        );
        assert_eq!(plain_text(&ok(&nested).html), BODY);
        // Sloppy but common: unclosed paragraphs, list items and cells.
        let sloppy = format!(
            "{}<ul>{}</ul><table>{}</table>",
            format!("<p>{BODY}").repeat(300),
            "<li>一项".repeat(300),
            "<tr><td>甲<td>乙".repeat(300)
        );
        ok(&sloppy);
        // Word's markup: well nested, many tags.
        let word = format!(
            "<p class=MsoNormal><span lang=EN-US style='font-size:12pt'>{BODY}<o:p></o:p></span></p>"
        )
        .repeat(1_500);
        assert!(word.len() <= RAW_MAX_BYTES);
        ok(&word);
    }

    #[test]
    fn nesting_estimate_follows_the_tokenizer() {
        let cost = |s: &str, n: usize| parse_cost(&s.repeat(n));
        assert_eq!(cost("<br><img src=x><hr/><P>a</p>", 1_000), Ok(()));
        assert_eq!(cost("<b title='>'>x</b>", 1_000), Ok(()));
        assert_eq!(cost("a < b <3 <!-- c --> </ d>", 1_000), Ok(()));
        assert_eq!(cost("<DIV>x</div>", 1_000), Ok(()));
        assert_eq!(cost("<div>", NESTING_MAX), Ok(()));
        assert_eq!(cost("<div\n>", NESTING_MAX + 1), Err(TooCostly::Nested));
    }

    #[test]
    fn content_inside_tables_is_bounded() {
        // What Word makes of a 100 × 6 table.
        let cell = "<td width=100 valign=top><p class=MsoNormal><span lang=EN-US>12.5<o:p></o:p></span></p></td>";
        let table = format!(
            "<table class=MsoTableGrid border=1>{}</table>",
            format!("<tr>{}</tr>", cell.repeat(6)).repeat(100)
        );
        assert_eq!(parse_cost(&table), Ok(()));
        ok(&format!("<p>{BODY}</p>{table}"));
        // Content misplaced in a table is moved before it, a linear search each time.
        for inner in ["x<br>", "<p></p>", "x</q>", "<td>x</td>"] {
            let raw = format!("<table>{}</table>{BODY}", inner.repeat(TABLE_TOKENS_MAX));
            assert_eq!(
                message(&raw),
                "文章里的表格内容过多，请拆分或简化表格后再提交",
                "{inner}"
            );
        }
        // An unclosed table counts to the end; text after a closed one does not.
        assert_eq!(
            parse_cost(&format!("<table>{}", "x<br>".repeat(TABLE_TOKENS_MAX))),
            Err(TooCostly::TableContent)
        );
        assert_eq!(
            parse_cost(&format!(
                "<table></table>{}",
                "x<br>".repeat(TABLE_TOKENS_MAX)
            )),
            Ok(())
        );
    }

    #[test]
    fn sanitizing_is_idempotent() {
        let raw = format!(
            "<h2>标题</h2><p>{BODY} &amp; &lt;x&gt;<a href=\"https://a.example/?a=1&b=2\">链接</a></p>\
             <p><img src=\"{IMG}\" alt='说 \"明\"'></p>"
        );
        let once = ok(&raw).html;
        assert_eq!(ok(&once).html, once);
    }

    #[test]
    fn plain_text_strips_tags_decodes_entities_and_collapses_whitespace() {
        assert_eq!(
            plain_text(
                "<h2>标题</h2>\n\n<p>第一段\n  第二行&nbsp;&nbsp;x</p><ul><li>一</li><li>二</li></ul>"
            ),
            "标题 第一段 第二行 x 一 二"
        );
        assert_eq!(
            plain_text("<p>H<sub>2</sub>O 与 <strong>pH</strong>值</p>"),
            "H2O 与 pH值"
        );
        assert_eq!(
            plain_text("a&amp;lt;b &quot;c&quot; &#20013;"),
            "a&lt;b \"c\" 中"
        );
        // Whatever the input, script and style contents are not text.
        assert_eq!(
            plain_text("<p>正文</p><script>var x = 1;</script><style>p{}</style>"),
            "正文"
        );
        assert_eq!(plain_text("<p>&lt;script&gt;</p>"), "<script>");
        assert_eq!(plain_text(""), "");
        assert_eq!(plain_text("  \n "), "");
        assert_eq!(plain_text("<td>甲</td><td>乙</td>"), "甲乙");
        assert_eq!(
            plain_text("<table><tr><td>甲</td><td>乙</td></tr></table>"),
            "甲 乙"
        );
    }

    #[test]
    fn plain_text_of_sanitized_output_is_its_visible_text() {
        let a = ok(&format!(
            "<h2>标题</h2><p>{BODY}<br>第二行</p><img src=\"{IMG}\" alt=\"图\">"
        ));
        let text = plain_text(&a.html);
        assert_eq!(text, format!("标题 {BODY} 第二行"));
        assert_eq!(text.chars().count(), a.text_len);
    }

    #[test]
    fn tag_names_and_pieces_follow_the_serializer() {
        assert_eq!(tag_name("<p>"), "p");
        assert_eq!(tag_name("</p>"), "p");
        assert_eq!(tag_name("<img src=\"x\">"), "img");
        assert_eq!(tag_name("<br>"), "br");
        let ps: Vec<_> = pieces("a<b>c</b>")
            .map(|p| match p {
                Piece::Text(t) => format!("T{t}"),
                Piece::Tag(t) => format!("G{t}"),
            })
            .collect();
        assert_eq!(ps, ["Ta", "G<b>", "Tc", "G</b>"]);
    }
}
