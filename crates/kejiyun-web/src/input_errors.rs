//! Chinese explanations of the errors serde and axum report for a request's JSON body, query
//! string and path (whose own texts are English: "unknown field `colour`, expected one of …").
//! The texts are read, not the error types: the three rejections carry different error types,
//! but serde words every data error the same way. What is not recognised keeps its original
//! text after the Chinese lead, so nothing is lost.

/// What a rejected input tells the caller: the field at fault, when serde names it, and a
/// Chinese explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    pub field: Option<String>,
    pub message: String,
}

const JSON_DATA: &str = "Failed to deserialize the JSON body into the target type: ";
const JSON_SYNTAX: &str = "Failed to parse the request body as JSON: ";
const QUERY: &str = "Failed to deserialize query string: ";

/// A JSON body whose shape does not fit the request (a 422).
pub fn json_data(detail: &str) -> Explained {
    let (field, problem) = located(detail.strip_prefix(JSON_DATA).unwrap_or(detail));
    Explained {
        message: format!(
            "请求数据不符合要求：{}",
            data_problem(field.as_deref(), problem)
        ),
        field,
    }
}

/// A body that is not JSON at all (a 400): where the parser stopped.
pub fn json_syntax(detail: &str) -> Explained {
    let rest = detail.strip_prefix(JSON_SYNTAX).unwrap_or(detail);
    let (field, problem) = located(rest);
    let message = match position(problem) {
        Some((line, column)) if problem.starts_with("EOF") => {
            format!("JSON 格式错误：内容不完整（第 {line} 行第 {column} 列）")
        }
        Some((line, column)) => {
            format!("JSON 格式错误：第 {line} 行第 {column} 列附近不是合法的 JSON")
        }
        None => format!("JSON 格式错误：{}", short(problem)),
    };
    Explained { field, message }
}

/// A query parameter of the wrong form (a 400).
pub fn query(detail: &str) -> Explained {
    let (field, problem) = located(detail.strip_prefix(QUERY).unwrap_or(detail));
    Explained {
        message: format!("查询参数错误：{}", data_problem(field.as_deref(), problem)),
        field,
    }
}

/// A path segment of the wrong form (a 400), e.g. `/api/v1/needs/abc`.
pub fn path(detail: &str) -> Explained {
    let message = match between(detail, "Cannot parse `", "` to a `") {
        Some(raw) if detail.contains("to a `i64`") || detail.contains("to a `u64`") => {
            format!("路径参数错误：“{}”不是有效的编号（应为正整数）", short(raw))
        }
        Some(raw) => format!("路径参数错误：“{}”的格式不对", short(raw)),
        None => format!("路径参数错误：{}", short(detail)),
    };
    Explained {
        field: None,
        message,
    }
}

/// Splits serde_path_to_error's `path: problem` (a top-level problem has no path).
fn located(text: &str) -> (Option<String>, &str) {
    match text.split_once(": ") {
        Some((path, problem))
            if !path.is_empty()
                && path
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '-')) =>
        {
            (Some(path.to_owned()), problem)
        }
        _ => (None, text),
    }
}

fn data_problem(field: Option<&str>, problem: &str) -> String {
    let problem = strip_position(problem);
    let named = |what: &str| match field {
        Some(f) => format!("字段 {f} {what}"),
        None => what.to_owned(),
    };
    if let Some(f) = between(problem, "unknown field `", "`") {
        // serde lists the accepted fields: worth passing on to whoever wrote the request.
        let accepted: Vec<&str> = problem
            .split_once("expected one of ")
            .map(|(_, list)| list.split(", ").map(|a| a.trim_matches('`')).collect())
            .unwrap_or_default();
        return if accepted.is_empty() {
            format!("不认识的字段 {f}")
        } else {
            format!("不认识的字段 {f}（可用的字段：{}）", accepted.join("、"))
        };
    }
    if let Some(f) = between(problem, "missing field `", "`") {
        return format!("缺少必填字段 {f}");
    }
    if let Some(v) = between(problem, "unknown variant `", "`") {
        return named(&format!("不支持取值“{}”", short(v)));
    }
    if let Some(rest) = problem.strip_prefix("invalid type: ") {
        let expected = rest.split(", expected ").nth(1).unwrap_or("");
        return named(&format!("类型不对，应为{}", kind_zh(expected)));
    }
    if problem.starts_with("invalid digit found in string")
        || problem.starts_with("cannot parse integer from empty string")
    {
        return named("应为整数");
    }
    if problem.starts_with("number too large") || problem.starts_with("number too small") {
        return named("数值超出范围");
    }
    if problem.starts_with("provided string was not `true` or `false`") {
        return named("应为 true 或 false");
    }
    if problem.starts_with("invalid value:") {
        return named("取值无效");
    }
    if problem.starts_with("invalid length") {
        return named("元素个数不对");
    }
    named(&format!("格式不对（{}）", short(problem)))
}

/// serde's name of an expected type, in Chinese.
fn kind_zh(expected: &str) -> &'static str {
    let e = expected.trim();
    if ["i64", "i32", "u32", "u64", "u16", "u8", "an integer"]
        .iter()
        .any(|k| e.starts_with(k))
    {
        "整数"
    } else if e.starts_with("f64") || e.starts_with("f32") || e.starts_with("a number") {
        "数字"
    } else if e.starts_with("a string") || e.starts_with("a borrowed string") {
        "文字（字符串）"
    } else if e.starts_with("a boolean") {
        "true 或 false"
    } else if e.starts_with("a sequence") {
        "数组"
    } else if e.starts_with("struct") || e.starts_with("a map") {
        "对象"
    } else {
        "其他类型"
    }
}

/// `… at line 1 column 9` → (1, 9).
fn position(text: &str) -> Option<(u32, u32)> {
    let (_, at) = text.rsplit_once(" at line ")?;
    let (line, column) = at.split_once(" column ")?;
    Some((line.trim().parse().ok()?, column.trim().parse().ok()?))
}

fn strip_position(text: &str) -> &str {
    match text.rsplit_once(" at line ") {
        Some((head, _)) if position(text).is_some() => head,
        _ => text,
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

fn short(detail: &str) -> String {
    detail.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_missing_fields_are_named() {
        let e = json_data(
            "Failed to deserialize the JSON body into the target type: colour: unknown field \
             `colour`, expected one of `title`, `problem` at line 1 column 9",
        );
        assert_eq!(e.field.as_deref(), Some("colour"));
        assert_eq!(
            e.message,
            "请求数据不符合要求：不认识的字段 colour（可用的字段：title、problem）"
        );
        let e = json_data(
            "Failed to deserialize the JSON body into the target type: missing field `title` at \
             line 1 column 2",
        );
        assert_eq!(e.field, None);
        assert_eq!(e.message, "请求数据不符合要求：缺少必填字段 title");
    }

    #[test]
    fn wrong_types_say_what_was_expected() {
        let e = json_data(
            "Failed to deserialize the JSON body into the target type: budget_fen: invalid type: \
             string \"abc\", expected i64 at line 1 column 20",
        );
        assert_eq!(e.field.as_deref(), Some("budget_fen"));
        assert_eq!(
            e.message,
            "请求数据不符合要求：字段 budget_fen 类型不对，应为整数"
        );
        let e = query("Failed to deserialize query string: page: invalid digit found in string");
        assert_eq!(e.field.as_deref(), Some("page"));
        assert_eq!(e.message, "查询参数错误：字段 page 应为整数");
    }

    #[test]
    fn syntax_errors_give_the_position() {
        let e = json_syntax(
            "Failed to parse the request body as JSON: login: EOF while parsing a value at line 1 \
             column 10",
        );
        assert_eq!(e.message, "JSON 格式错误：内容不完整（第 1 行第 10 列）");
        let e = json_syntax(
            "Failed to parse the request body as JSON: expected value at line 2 column 3",
        );
        assert_eq!(
            e.message,
            "JSON 格式错误：第 2 行第 3 列附近不是合法的 JSON"
        );
    }

    #[test]
    fn bad_ids_in_the_path() {
        let e = path("Invalid URL: Cannot parse `abc` to a `i64`");
        assert_eq!(e.message, "路径参数错误：“abc”不是有效的编号（应为正整数）");
    }

    #[test]
    fn unrecognised_problems_keep_their_text() {
        let e = json_data("something new");
        assert!(e.message.contains("something new"), "{}", e.message);
    }
}
