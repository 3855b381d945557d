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
mod tests;
