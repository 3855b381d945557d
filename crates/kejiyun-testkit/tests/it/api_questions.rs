//! Expert Q&A (专家问诊) through HTTP: a farmer asks, the county admin approves, the matching
//! expert is invited in the inbox, answers, the farmer accepts, a neighbour marks it helpful —
//! and the figures `questions` / `questions_answered` follow exactly. Bad input is a Chinese 4xx
//! that stores nothing.

use kejiyun_testkit::{TestApp, TestUser};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api_market_support::{
    LINSHUI, YUECHI, assert_figures_exact, cast, ids, items, moderate,
};
use crate::api_search::{eventually, q};

pub fn question_body(region: &str) -> Value {
    json!({
        "title": "柑橘叶片发黄是不是黄龙病",
        "text": "家里十几棵柑橘树的叶片出现斑驳黄化，已经两个月了，施肥也不见好，担心是黄龙病。",
        "category": "fruit",
        "region": region,
    })
}

async fn inbox_kinds(app: &TestApp, who: &TestUser) -> Vec<(String, String)> {
    let r = app.get("/api/v1/notifications", Some(&who.token)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    items(&r.body)
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap_or_default().to_owned(),
                n["link"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

async fn figures(app: &TestApp, region: &str) -> (i64, i64) {
    let s = app
        .get(&format!("/api/v1/stats?region={region}"), None)
        .await;
    assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);
    (
        s.body["metrics"]["questions"].as_i64().unwrap_or(-1),
        s.body["metrics"]["questions_answered"]
            .as_i64()
            .unwrap_or(-1),
    )
}

/// `who` asks [`question_body`] (submitted for review); the answer as sent.
pub async fn ask(app: &TestApp, who: &TestUser, body: Value) -> kejiyun_testkit::Reply {
    let mut body = body;
    body["submit"] = json!(true);
    app.post("/api/v1/questions", Some(&who.token), body).await
}

#[tokio::test]
async fn ask_approve_invite_answer_accept_with_exact_figures() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let neighbour = app.user("张大姐", Some(LINSHUI)).await;
    // The expert must be in the index before the question is routed.
    let query = format!("{}&type=tech_worker", q("柑橘"));
    eventually(&app.url(""), &query, |r| {
        r["total"].as_u64().unwrap_or(0) >= 1
    })
    .await;

    // Bad input: refused in Chinese, nothing stored.
    let empty = ask(&app, &c.farmer, with_text(question_body(LINSHUI), "")).await;
    empty.assert_invalid_field("text");
    let bad_cat = ask(
        &app,
        &c.farmer,
        json!({"title": "柑橘叶片发黄", "text": "叶片发黄两个月了怎么办呢", "category": "weapons", "region": LINSHUI}),
    )
    .await;
    assert_eq!(
        bad_cat.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        bad_cat.body
    );
    let mine = app
        .get("/api/v1/questions?mine=true", Some(&c.farmer.token))
        .await;
    assert_eq!(mine.body["total"], 0, "nothing stored: {:?}", mine.body);

    let asked = ask(&app, &c.farmer, question_body(LINSHUI)).await;
    assert_eq!(asked.status, StatusCode::CREATED, "{:?}", asked.body);
    let id = asked.body["id"].as_i64().unwrap_or_default();
    assert_eq!(
        figures(&app, LINSHUI).await,
        (0, 0),
        "pending does not count"
    );
    let public = app.get("/api/v1/questions", None).await;
    assert!(!ids(&public.body).contains(&id), "not public before review");

    // The county admin approves: the expert nearby is invited, with the reasons.
    let approved = moderate(&app, &c.admin, "question", id, "approve", json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{:?}", approved.body);
    let link = format!("/questions/{id}");
    assert!(
        inbox_kinds(&app, &c.farmer)
            .await
            .contains(&("posting_approved".into(), link.clone())),
        "the asker hears of the approval"
    );
    assert!(
        inbox_kinds(&app, &c.expert)
            .await
            .contains(&("question_invitation".into(), link.clone())),
        "the expert is invited"
    );
    let seen_by_asker = app
        .get(
            &link.replace("/questions", "/api/v1/questions"),
            Some(&c.farmer.token),
        )
        .await;
    assert_eq!(
        seen_by_asker.status,
        StatusCode::OK,
        "{:?}",
        seen_by_asker.body
    );
    let invited = seen_by_asker.body["invitations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(invited.len(), 1, "{:?}", seen_by_asker.body);
    assert_eq!(invited[0]["expert_name"], "李农艺师");
    assert_eq!(invited[0]["round"], 1);
    assert!(!invited[0]["reasons"].as_array().is_none_or(Vec::is_empty));
    assert_eq!(seen_by_asker.body["answer_state"]["code"], "open");
    let api = format!("/api/v1/questions/{id}");
    assert!(
        app.get(&api, None).await.body["invitations"].is_null(),
        "routing is the asker's"
    );
    assert_eq!(figures(&app, LINSHUI).await, (1, 0));
    let unanswered = app.get("/api/v1/questions?unanswered=true", None).await;
    assert_eq!(ids(&unanswered.body), vec![id]);
    let long_unanswered = app.get("/api/v1/questions?unanswered_hours=48", None).await;
    assert!(ids(&long_unanswered.body).is_empty(), "just published");

    // Only verified tech workers answer; not with an empty text.
    let by_farmer = app
        .post(
            &format!("{api}/answers"),
            Some(&neighbour.token),
            json!({"text": "我觉得是缺肥，多施点肥试试看。"}),
        )
        .await;
    assert_eq!(
        by_farmer.status,
        StatusCode::FORBIDDEN,
        "{:?}",
        by_farmer.body
    );
    let short = app
        .post(
            &format!("{api}/answers"),
            Some(&c.expert.token),
            json!({"text": "是"}),
        )
        .await;
    short.assert_invalid_field("text");
    let answered = app
        .post(
            &format!("{api}/answers"),
            Some(&c.expert.token),
            json!({"text": "建议先采集叶片送检，确认是否为黄龙病；确诊后及时挖除病株，并统一防治柑橘木虱。"}),
        )
        .await;
    assert_eq!(answered.status, StatusCode::CREATED, "{:?}", answered.body);
    let answer = answered.body["id"].as_i64().unwrap_or_default();
    assert!(
        inbox_kinds(&app, &c.farmer)
            .await
            .contains(&("new_answer".into(), link.clone())),
        "the asker hears of the answer"
    );
    assert_eq!(figures(&app, LINSHUI).await, (1, 1));
    assert_eq!(
        figures(&app, "511600").await,
        (1, 1),
        "rolled up to the city"
    );

    // Helpful, once per user; not one's own.
    let helpful = format!("{api}/answers/{answer}/helpful");
    let marked = app.post(&helpful, Some(&neighbour.token), json!({})).await;
    assert_eq!(marked.status, StatusCode::OK, "{:?}", marked.body);
    assert_eq!(marked.body["helpful"], 1);
    let again = app.post(&helpful, Some(&neighbour.token), json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{:?}", again.body);
    let own = app.post(&helpful, Some(&c.expert.token), json!({})).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{:?}", own.body);

    // The asker accepts, once; the expert hears of it.
    let accept = format!("{api}/answers/{answer}/accept");
    let not_asker = app.post(&accept, Some(&neighbour.token), json!({})).await;
    assert_eq!(
        not_asker.status,
        StatusCode::FORBIDDEN,
        "{:?}",
        not_asker.body
    );
    let accepted = app.post(&accept, Some(&c.farmer.token), json!({})).await;
    assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.body);
    assert_eq!(accepted.body["status"], "resolved");
    let twice = app.post(&accept, Some(&c.farmer.token), json!({})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{:?}", twice.body);
    assert!(
        inbox_kinds(&app, &c.expert)
            .await
            .contains(&("answer_accepted".into(), link.clone()))
    );
    let thread = app.get(&api, None).await;
    assert_eq!(thread.body["answer_state"]["code"], "resolved");
    assert_eq!(thread.body["answers"][0]["accepted"], true);
    assert_eq!(thread.body["answers"][0]["helpful"], 1);
    let expert_id = thread.body["answers"][0]["author_id"]
        .as_i64()
        .unwrap_or_default();
    let by_expert = app
        .get(&format!("/api/v1/users/{expert_id}/answers"), None)
        .await;
    assert_eq!(by_expert.body["total"], 1, "{:?}", by_expert.body);
    assert_eq!(
        by_expert.body["items"][0]["question_title"],
        "柑橘叶片发黄是不是黄龙病"
    );
    assert_figures_exact(&app, "after the accepted answer").await;

    // A question from a county without experts skips to the next circle: its city's.
    let city_admin = app.admin("region_admin", Some("511600")).await;
    let yuechi = ask(&app, &neighbour, question_body(YUECHI)).await;
    assert_eq!(yuechi.status, StatusCode::CREATED, "{:?}", yuechi.body);
    let other = yuechi.body["id"].as_i64().unwrap_or_default();
    let approved = moderate(&app, &city_admin, "question", other, "approve", json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{:?}", approved.body);
    let routed = app
        .get(
            &format!("/api/v1/questions/{other}"),
            Some(&neighbour.token),
        )
        .await;
    let invited = routed.body["invitations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(invited.len(), 1, "{:?}", routed.body);
    assert_eq!(
        (&invited[0]["expert_name"], &invited[0]["round"]),
        (&json!("李农艺师"), &json!(2))
    );
    let mine = app
        .get("/api/v1/questions?mine=true", Some(&neighbour.token))
        .await;
    assert_eq!(ids(&mine.body), vec![other]);

    // The asker withdraws it: it stops counting, in both figures.
    let closed = app
        .post(
            &format!("{api}/close"),
            Some(&c.farmer.token),
            json!({"reason": "withdrawn"}),
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{:?}", closed.body);
    assert_eq!(figures(&app, LINSHUI).await, (0, 0));
    assert_eq!(
        figures(&app, "511600").await,
        (1, 0),
        "岳池's question still counts"
    );
    assert_figures_exact(&app, "after withdrawal").await;

    // The pages render: list, the question, the form, the admins' unanswered list.
    for (path, who) in [
        ("/questions".to_owned(), None),
        (link.clone(), Some(&c.farmer)),
        ("/questions/new".to_owned(), Some(&c.farmer)),
        ("/questions?mine=1".to_owned(), Some(&c.farmer)),
        ("/admin/questions".to_owned(), Some(&c.admin)),
    ] {
        let r = app.get_bytes(&path, who.map(|u| u.token.as_str())).await;
        assert_eq!(r.0, StatusCode::OK, "{path}");
    }
    app.stop().await;
}

fn with_text(mut body: Value, text: &str) -> Value {
    body["text"] = json!(text);
    body
}
