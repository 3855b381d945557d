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
    let a = ok("第一段：柑橘黄龙病的症状。\r\n\r\n  第二段：a & b > c，防治要点。\n第三段\n\n\n");
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
