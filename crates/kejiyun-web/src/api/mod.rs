//! `/api/v1`: JSON in, JSON out, errors in the shape of docs/product.md ("Conventions"). Every route is declared
//! with `#[utoipa::path]`, so `/api/v1/openapi.json` is generated from the code it describes.
//!
//! A handler's doc comment opens with a one-line Chinese paragraph, which utoipa makes the
//! operation's summary (what `/api` and client generators show first); the English paragraphs
//! after it become the description. (utoipa's `summary = …` would drop the doc comment's first
//! paragraph instead.) Each `#[utoipa::path]` names its `operation_id`, verb then resource.

mod accounts;
mod admin;
mod bases;
mod certificates;
mod contests;
mod contests_dto;
mod contests_judging;
pub mod dto;
pub mod estation_player;
pub mod estations;
mod market;
mod moderation;
mod notifications;
mod orgs;
mod passwords;
mod profiles;
mod questions;
mod regions;
mod resources;
pub mod search;
mod second_factor;
mod stats;
mod stats_export;
mod stats_first_answer;
mod stats_summary;
mod tech_workers;
mod tokens;
mod trainings;
mod trainings_lists;
pub mod uploads;
mod volunteer_activities;
mod volunteer_hours;
mod volunteer_teams;
mod volunteers;

use kejiyun_core::market::postings::{AchievementDraft, NeedDraft, ServiceDraft};
use kejiyun_core::paging::Page;
use kejiyun_core::popsci::ResourceDraft;
use kejiyun_core::questions::QuestionDraft;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::ApiError;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kejiyun (科技云) API",
        version = "1",
        description = "The JSON API of a science & technology service cloud. Errors are \
            `{\"error\": {\"code\", \"message\", \"field\"?}}` with a Chinese message. Lists page \
            with `page` and `per_page` (1–100). Authenticate with the session cookie set by \
            `POST /api/v1/auth/login`, or `Authorization: Bearer <token>` (the login's `token`, or \
            an API token from `POST /api/v1/tokens`). Cross-site unsafe requests are refused. \
            Any route may answer 429 `too_many_attempts`/`too_many_requests` (login lockout, \
            per-address throttle), 503 `busy`/`database_unavailable`/`search_rebuilding` or 507 \
            `storage_full` (nothing was written), each with `Retry-After` in seconds; a query \
            parameter holding a control character is 422. A 2xx write has committed."
    ),
    modifiers(&Security, &Tags),
    security((), ("bearer" = []), ("session_cookie" = [])),
)]
struct ApiDoc;

/// The tags the operations are filed under, in the order `/api` lists them: the name each
/// operation names, its Chinese name (the tag's `x-displayName`, the heading viewers such as
/// Redoc and `/api` show) and its description, Chinese first, then English.
const TAGS: [(&str, &str, &str); 28] = [
    (
        "auth",
        "注册与登录",
        "用手机号或邮箱注册；用密码或验证码登录，取得会话和令牌；用验证码重置密码；退出登录。\n\nRegistration, login (by password or one-time code), password reset, logout.",
    ),
    (
        "me",
        "我的账号",
        "当前登录者自己的账号。\n\nThe caller's own account.",
    ),
    (
        "regions",
        "行政区划",
        "GB/T 2260 行政区划（六位代码）：查找、查看、下级地区。\n\nGB/T 2260 administrative regions.",
    ),
    (
        "tech-workers",
        "科技工作者",
        "科技工作者认证的申请、审核和名录。\n\nTech workers: applications and the directory.",
    ),
    (
        "orgs",
        "组织",
        "组织（企业、学会、农技协等）的登记、认证和名录。\n\nOrganizations: registration, verification, directory.",
    ),
    (
        "moderation",
        "审核",
        "调用者所管地区的待审核事项（认证申请和发布内容），审核通过或驳回。\n\nThe moderation queue of the caller's regions.",
    ),
    (
        "tokens",
        "API 令牌",
        "供系统对接使用的长期令牌：创建、查看、撤销。\n\nAPI tokens for integrations.",
    ),
    (
        "certificates",
        "证书核验",
        "培训、志愿服务等证书：任何人凭编号核验（姓名脱敏），持证人下载 PDF。\n\nCertificates: public verification by code, the holder's PDF.",
    ),
    (
        "admin",
        "管理员与审计",
        "管理员的设置和审计日志。\n\nAdministrators and the audit log.",
    ),
    (
        "stats",
        "统计",
        "统计数据：按行政区划逐级汇总的准确数字，每个数字背后的记录，以及 CSV、Excel 导出。\n\nStatistics: exact figures rolled up over the region tree, and the records behind them.",
    ),
    (
        "services",
        "科技服务",
        "已认证的科技工作者和组织提供的科技服务。\n\nServices of verified tech workers and organizations.",
    ),
    (
        "needs",
        "科技需求",
        "科技需求的发布和查询，含引导式表单的完整度评分。\n\nNeeds, with the guided form's completeness score.",
    ),
    (
        "achievements",
        "科技成果",
        "科技成果及其转化方式。\n\nAchievements and their transfer terms.",
    ),
    (
        "categories",
        "分类目录",
        "分类目录和科技服务市场用到的各项取值（代码和中文名称）。\n\nThe category catalogue and the marketplace's vocabularies.",
    ),
    (
        "inquiries",
        "对接",
        "供需双方就一条发布内容往来的对接消息。\n\nMessage threads between the two sides of a posting.",
    ),
    (
        "quotes",
        "报价",
        "服务方对科技需求的报价：接受、婉拒、撤回。\n\nProviders' quotes on needs; accept, decline, withdraw.",
    ),
    (
        "deals",
        "交易",
        "交易：待确认、已确认、已取消；线下合同的登记和凭证。\n\nDeals: proposed, confirmed, cancelled; offline contracts with evidence.",
    ),
    (
        "tickets",
        "科服保姆",
        "地区工作人员为科技需求建立并跟进的保姆单。\n\nCaseworker tickets of region staff.",
    ),
    (
        "questions",
        "专家问诊",
        "向专家提问：审核通过后按匹配结果邀请附近的科技工作者解答；回答、采纳、标记有用。\n\nExpert Q&A: questions routed to matching tech workers, answers, acceptance, helpful marks.",
    ),
    (
        "popsci",
        "科普",
        "科普资源（图文、视频、图片、音频、文档）：发布、审核、按地区/分类/类型/浏览量列出；查看已发布的资源计入浏览量（同一访客 30 分钟内只计一次）。\n\nPopular science: resources (article, video, image, audio, PDF), moderated, listed by region, category, kind or views; reading a published one counts a view (once per visitor per 30 minutes).",
    ),
    (
        "trainings",
        "培训",
        "培训的发布、报名（不超过名额）、每场签到表和滚动签到码签到；每场每人到场计一人次。\n\nTrainings: holding, enrolment within the capacity, each session's roll and rotating-code check-in; each person present at each session is one person-time.",
    ),
    (
        "contests",
        "大赛",
        "大赛（县、市、省逐级举办）：地区管理员举办大赛并设置组别、时间安排、评分标准和奖项；报名期内提交参赛作品，管理员审核通过或退回；邀请评委，评委声明利益冲突（有冲突的作品既不分配、也不能查看和评分）；自动或手工分配评委；评审期内按评分标准评分（可修改至评审结束）或两两比较；排名（并列如实显示）、评定奖项、发布获奖公示；公示期满后把获奖作品推荐到上级大赛。\n\nContests held county → city → province: region admins set one up with groups, timeline, rubric and award levels; entries are submitted in the entry window and accepted or returned; judges are invited and declare conflicts of interest (a conflicted judge is never assigned, shown or allowed to score the entry); the assignment is computed or edited; judges score by the rubric (revisable until judging closes) or vote pairwise; the ranking (ties shown), the awards and the public notice; after the notice, winners are nominated to the parent contest.",
    ),
    (
        "bases",
        "科普共享基地",
        "科普共享基地（已认证的基地类组织）：基地资料（联系电话对公众脱敏）、开放参观时段、团体预约（名额在预约时占用，不超过可接待人数）、基地确认或婉拒、预约者取消。\n\nPopular-science sharing bases (verified organizations of the kind base): profiles (the contact phone masked to the public), visit slots, group bookings taking their places at once within the capacity, the base's confirmation or decline, the booker's cancellation.",
    ),
    (
        "estations",
        "科普e站",
        "科普e站屏幕：地区管理员或运营单位登记屏幕并取得令牌（只显示一次，只存哈希，可撤销）；按屏幕或按地区设置播放列表（可按时段），紧急插播；播放器凭令牌（X-Estation-Token）取节目单、报告心跳和播放记录；屏幕状态与播放证明。\n\n科普e站 screens: registration with a token shown once (only its hash kept; revocable), playlists per screen or per region with daily windows, emergency overrides; the player (with X-Estation-Token) fetches its program and reports heartbeats and plays; screen status and proof of play.",
    ),
    (
        "volunteers",
        "科技志愿服务",
        "科技志愿者登记（身份证号加密存储、脱敏显示，查看完整号码留痕）、志愿队伍（支队、大队、小队）、入队申请和审核、名册的导入导出。\n\nVolunteers: profiles (ID numbers sealed at rest, masked, full reads audited), teams with sub-teams, join requests, import and export.",
    ),
    (
        "uploads",
        "文件上传",
        "上传文件（按内容判断类型；图片重新编码并生成缩略图；视频、音频、PDF 原样保存），供问题、回答和科普资源引用。\n\nUploads: files judged by their content (images re-encoded with a thumbnail; video, audio and PDF kept as sent); referred to by questions, answers and popular-science resources.",
    ),
    (
        "search",
        "搜索与匹配",
        "一个搜索框搜遍全部已发布的内容；供需对接的匹配推荐，附匹配理由。\n\nOne search box over everything published, and supply–demand matching with reasons.",
    ),
    (
        "notifications",
        "站内信",
        "调用者的站内信和短信/邮件提醒方式。\n\nThe caller's inbox and delivery preference.",
    ),
];

/// The Chinese name of a tag (its `x-displayName`).
pub const TAG_DISPLAY_NAME: &str = "x-displayName";

struct Tags;

impl Modify for Tags {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        // The `tags(…)` of `#[openapi]` cannot set an extension, hence the table.
        openapi.tags = Some(
            TAGS.iter()
                .map(|(name, zh, description)| {
                    let mut tag = TagBuilder::new()
                        .name(*name)
                        .description(Some(*description))
                        .build();
                    tag.extensions = Some([(TAG_DISPLAY_NAME, *zh)].into_iter().collect());
                    tag
                })
                .collect(),
        );
    }
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::session::SESSION_COOKIE,
            ))),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    let posting_actions = [
        market::postings::lifecycle_routes::<ServiceDraft>(
            "/api/v1/services",
            "services",
            "service",
        ),
        market::postings::lifecycle_routes::<NeedDraft>("/api/v1/needs", "needs", "need"),
        market::postings::lifecycle_routes::<AchievementDraft>(
            "/api/v1/achievements",
            "achievements",
            "achievement",
        ),
    ];
    // A question does not expire, so it has no `confirm`.
    let [submit_question, close_question, _] = market::postings::lifecycle_routes::<QuestionDraft>(
        "/api/v1/questions",
        "questions",
        "question",
    );
    // Nor does a resource.
    let [submit_resource, close_resource, _] = market::postings::lifecycle_routes::<ResourceDraft>(
        "/api/v1/resources",
        "popsci",
        "resource",
    );
    let api = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(submit_question)
        .routes(close_question)
        .routes(submit_resource)
        .routes(close_resource);
    let api = posting_actions
        .into_iter()
        .flatten()
        .fold(api, |api, route| api.routes(route));
    api.routes(routes!(accounts::register))
        .routes(routes!(accounts::login))
        .routes(routes!(accounts::request_code))
        .routes(routes!(accounts::reset_password))
        .routes(routes!(accounts::code_login))
        .routes(routes!(accounts::logout))
        .routes(routes!(accounts::me, accounts::update_me))
        .routes(routes!(passwords::change_password))
        .routes(routes!(passwords::list_lockouts))
        .routes(routes!(passwords::unlock))
        .routes(routes!(second_factor::login))
        .routes(routes!(second_factor::status, second_factor::start))
        .routes(routes!(second_factor::confirm))
        .routes(routes!(second_factor::regenerate))
        .routes(routes!(second_factor::disable))
        .routes(routes!(second_factor::reset))
        .routes(routes!(regions::list_regions))
        .routes(routes!(regions::get_region))
        .routes(routes!(regions::region_children))
        .routes(routes!(tech_workers::list, tech_workers::apply))
        .routes(routes!(tech_workers::get_one, tech_workers::edit))
        .routes(routes!(tech_workers::id_card))
        .routes(routes!(tech_workers::verify))
        .routes(routes!(tech_workers::reject))
        .routes(routes!(orgs::list, orgs::register))
        .routes(routes!(orgs::get_one, orgs::edit))
        .routes(routes!(orgs::verify))
        .routes(routes!(orgs::reject))
        .routes(routes!(moderation::queue))
        .routes(routes!(moderation::approve))
        .routes(routes!(moderation::reject))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(certificates::verify))
        .routes(routes!(certificates::pdf))
        .routes(routes!(certificates::mine))
        .routes(routes!(admin::audit_log))
        .routes(routes!(admin::list_admins, admin::create_admin))
        .routes(routes!(admin::revoke_admin))
        .routes(routes!(admin::verify_audit_log))
        .routes(routes!(search::search))
        .routes(routes!(search::need_matches))
        .routes(routes!(search::service_matches))
        .routes(routes!(search::achievement_matches))
        .routes(routes!(stats::stats))
        .routes(routes!(stats::metrics))
        .routes(routes!(stats_first_answer::first_answer))
        .routes(routes!(stats::records))
        .routes(routes!(stats_summary::summary))
        .routes(routes!(stats_export::export_csv))
        .routes(routes!(stats_export::export_xlsx))
        .routes(routes!(questions::list, questions::create))
        .routes(routes!(questions::get_one, questions::edit))
        .routes(routes!(questions::answer))
        .routes(routes!(questions::accept))
        .routes(routes!(questions::helpful))
        .routes(routes!(questions::answers_by))
        .routes(routes!(resources::list, resources::create))
        .routes(routes!(resources::get_one, resources::edit))
        .routes(routes!(resources::bases_using))
        .routes(routes!(trainings::list, trainings::create))
        .routes(routes!(trainings::get_one))
        .routes(routes!(trainings::enrol))
        .routes(routes!(trainings::enrolments))
        .routes(routes!(trainings::roll))
        .routes(routes!(trainings::mark))
        .routes(routes!(trainings::code))
        .routes(routes!(trainings::check_in))
        .routes(routes!(trainings_lists::template))
        .routes(routes!(trainings_lists::import))
        .routes(routes!(trainings_lists::certificate))
        .routes(routes!(contests::list, contests::create))
        .routes(routes!(contests::get_one))
        .routes(routes!(contests::entries, contests::submit))
        .routes(routes!(contests::get_entry, contests::resubmit))
        .routes(routes!(contests::accept))
        .routes(routes!(contests::return_entry))
        .routes(routes!(contests::withdraw))
        .routes(routes!(contests::nominate))
        .routes(routes!(contests_judging::judges, contests_judging::invite))
        .routes(routes!(contests_judging::declare_conflict))
        .routes(routes!(
            contests_judging::get_assignment,
            contests_judging::compute_assignment,
            contests_judging::edit_assignment
        ))
        .routes(routes!(contests_judging::judging))
        .routes(routes!(
            contests_judging::get_score,
            contests_judging::put_score
        ))
        .routes(routes!(contests_judging::vote))
        .routes(routes!(contests_judging::ranking))
        .routes(routes!(
            contests_judging::awards,
            contests_judging::set_awards
        ))
        .routes(routes!(contests_judging::publish_notice))
        .routes(routes!(bases::list))
        .routes(routes!(bases::get_one))
        .routes(routes!(bases::update_profile))
        .routes(routes!(bases::set_photos))
        .routes(routes!(bases::set_resources))
        .routes(routes!(bases::create_slot))
        .routes(routes!(bases::book))
        .routes(routes!(bases::bookings))
        .routes(routes!(bases::decide))
        .routes(routes!(bases::cancel))
        .routes(routes!(bases::mine))
        .routes(routes!(estations::list, estations::register))
        .routes(routes!(estations::get_one))
        .routes(routes!(estations::reissue_token, estations::revoke_token))
        .routes(routes!(
            estations::estation_playlists,
            estations::create_estation_playlist
        ))
        .routes(routes!(
            estations::region_playlists,
            estations::create_region_playlist
        ))
        .routes(routes!(
            estations::get_playlist,
            estations::update_playlist,
            estations::delete_playlist
        ))
        .routes(routes!(estations::emergencies, estations::start_emergency))
        .routes(routes!(estations::cancel_emergency))
        .routes(routes!(estations::plays))
        .routes(routes!(estations::resource_estations))
        .routes(routes!(estation_player::program))
        .routes(routes!(estation_player::heartbeat))
        .routes(routes!(volunteers::list, volunteers::register))
        .routes(routes!(volunteers::mine))
        .routes(routes!(volunteers::export))
        .routes(routes!(volunteers::template))
        .routes(routes!(volunteers::import))
        .routes(routes!(volunteers::get_one))
        .routes(routes!(volunteers::id_card))
        .routes(routes!(volunteer_teams::list, volunteer_teams::create))
        .routes(routes!(volunteer_teams::template))
        .routes(routes!(volunteer_teams::import))
        .routes(routes!(volunteer_teams::get_one))
        .routes(routes!(volunteer_teams::change_leader))
        .routes(routes!(volunteer_teams::join))
        .routes(routes!(volunteer_teams::members))
        .routes(routes!(volunteer_teams::decide))
        .routes(routes!(volunteer_teams::mine))
        .routes(routes!(
            volunteer_activities::list,
            volunteer_activities::create
        ))
        .routes(routes!(volunteer_activities::export_all))
        .routes(routes!(volunteer_activities::get_one))
        .routes(routes!(volunteer_activities::sign_up))
        .routes(routes!(volunteer_activities::assign))
        .routes(routes!(volunteer_activities::signups))
        .routes(routes!(volunteer_activities::export))
        .routes(routes!(volunteer_activities::code))
        .routes(routes!(volunteer_activities::check_in))
        .routes(routes!(volunteer_activities::check_out))
        .routes(routes!(volunteer_activities::adjust))
        .routes(routes!(volunteer_activities::decide))
        .routes(routes!(volunteer_activities::report))
        .routes(routes!(volunteer_hours::mine))
        .routes(routes!(volunteer_hours::activity_certificate))
        .routes(routes!(volunteer_hours::year_certificate))
        .routes(uploads::upload_route())
        .routes(routes!(market::catalogue::catalogue))
        .routes(routes!(market::services::list, market::services::create))
        .routes(routes!(market::services::get_one, market::services::edit))
        .routes(routes!(market::needs::list, market::needs::create))
        .routes(routes!(market::needs::completeness))
        .routes(routes!(market::needs::get_one, market::needs::edit))
        .routes(routes!(
            market::achievements::list,
            market::achievements::create
        ))
        .routes(routes!(
            market::achievements::get_one,
            market::achievements::edit
        ))
        .routes(routes!(market::inquiries::list, market::inquiries::create))
        .routes(routes!(market::inquiries::get_one))
        .routes(routes!(market::inquiries::reply))
        .routes(routes!(market::quotes::list, market::quotes::create))
        .routes(routes!(market::quotes::get_one))
        .routes(routes!(market::quotes::accept))
        .routes(routes!(market::quotes::decline))
        .routes(routes!(market::quotes::withdraw))
        .routes(routes!(market::quotes::ask))
        .routes(routes!(market::deals::list, market::deals::create))
        .routes(market::offline_deal_route())
        .routes(routes!(market::deals::get_one))
        .routes(routes!(market::deals::confirm))
        .routes(routes!(market::deals::cancel))
        .routes(routes!(market::deals::evidence))
        .routes(routes!(market::tickets::list, market::tickets::create))
        .routes(routes!(market::tickets::get_one))
        .routes(routes!(market::tickets::follow_up))
        .routes(routes!(market::tickets::link))
        .routes(routes!(market::tickets::close))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::unread_count))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(
            notifications::preferences,
            notifications::set_preferences
        ))
}

/// The routes and their OpenAPI document (what `/api/v1/openapi.json` serves and `/api` shows).
pub fn split() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = router().split_for_parts();
    document_common_errors(&mut doc);
    (router, doc)
}

/// The OpenAPI document of the routes above.
pub fn openapi() -> utoipa::openapi::OpenApi {
    split().1
}

/// The error answers every operation gives alike, said once here instead of in each
/// annotation (schemathesis found them missing from 30 operations):
/// - a path or query parameter its extractor cannot read is 400 (`invalid_path`,
///   `invalid_query`: `ApiPath` and `ApiQuery` do it the same way everywhere);
/// - a JSON body that is not JSON is 400 (`malformed_json`), one sent as another media type
///   415, one with a field missing, unknown or mistyped 422 (`ApiJson`);
/// - a query string with a control character is 422 (`extract::plain_query`, before every
///   route).
///
/// An answer the operation documents itself is kept.
fn document_common_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let error = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build(),
        )
    };
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            let reads = |places: &[ParameterIn]| {
                op.parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p, RefOr::T(p) if places.contains(&p.parameter_in)))
            };
            let parameters = reads(&[ParameterIn::Path, ParameterIn::Query]);
            let query = reads(&[ParameterIn::Query]);
            let json_body = op.request_body.as_ref().is_some_and(
                |b| matches!(b, RefOr::T(b) if b.content.contains_key("application/json")),
            );
            let responses = &mut op.responses.responses;
            if parameters {
                responses.entry("400".into()).or_insert_with(|| {
                    error("A path or query parameter that cannot be read (`invalid_path`, `invalid_query`)")
                });
            }
            if json_body {
                responses
                    .entry("400".into())
                    .or_insert_with(|| error("Malformed JSON (`malformed_json`)"));
                responses.entry("415".into()).or_insert_with(|| {
                    error("Not JSON (`unsupported_media_type`: send `Content-Type: application/json`)")
                });
                responses.entry("422".into()).or_insert_with(|| {
                    error("A field missing, unknown or of the wrong type (`invalid_input`, naming the field)")
                });
            }
            if query {
                responses.entry("422".into()).or_insert_with(|| {
                    error("A query parameter holds a control character (`invalid_input`)")
                });
            }
        }
    }
}

pub(crate) fn page(page: Option<u32>, per_page: Option<u32>) -> Result<Page, ApiError> {
    Page::new(page, per_page).map_err(ApiError::from)
}
