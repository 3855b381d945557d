//! Volunteers (科技志愿服务): registering a profile (by the person, or by a region admin's
//! import), reading the ID-card number (masked, or in full for the person and their region's
//! admins, audited), teams with sub-teams, requests to join and the leader's decision, a
//! leader change by the region admin, and the volunteers' export. The rules are in
//! `volunteers.rs`; the activities are in `app/volunteer_activities.rs`.

use std::collections::{HashMap, HashSet};

use serde_json::json;

use crate::accounts::Login;
use crate::audit::AuditRecord;
use crate::ids::{TeamId, UserId, VolunteerId};
use crate::import::{self, RowError, RowReport, Sheet};
use crate::paging::{Page, Paged};
use crate::permissions::{Actor, RegionScope};
use crate::regions::RegionCode;
use crate::volunteers::import::{TeamRow, TeamSheet, VolunteerSheet};
use crate::volunteers::ports::{NewTeam, NewVolunteer, VolunteerAccount, VolunteerFilter};
use crate::volunteers::{
    ID_CARD_FIELD, Membership, MembershipStatus, Skill, Team, TeamDraft, Volunteer, VolunteerDraft,
    VolunteerInput, decision, fits_under,
};
use crate::{DomainError, DomainResult};

use_cases!(
    Volunteers,
    volunteers,
    "Volunteers: profiles, the sealed ID-card number, teams and membership, import and export"
);

fn no_volunteer() -> DomainError {
    DomainError::NotFound("志愿者不存在".into())
}

fn no_team() -> DomainError {
    DomainError::NotFound("志愿队伍不存在".into())
}

fn duplicate_id() -> DomainError {
    DomainError::Conflict("该身份证号码已登记为科技志愿者，请勿重复注册".into())
}

/// What an import reports per good row (its spreadsheet row number and a short label).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRow {
    pub label: String,
}

impl Volunteers<'_> {
    fn sealed(&self, draft: &VolunteerDraft) -> NewVolunteer {
        let number = draft.id_card.as_str();
        NewVolunteer {
            name: draft.name.clone(),
            id_cipher: self.personal_data.seal(ID_CARD_FIELD, number),
            id_blind: self.personal_data.blind_index(ID_CARD_FIELD, number),
            id_masked: draft.id_card.masked(),
            phone: draft.phone.as_str().to_owned(),
            region: draft.region,
            skills: draft.skills.clone(),
            availability: draft.availability.clone(),
        }
    }

    /// The caller registers as a volunteer (once; an ID-card number registered by anyone
    /// already is refused).
    pub async fn register(
        &self,
        actor: &Actor,
        input: &VolunteerInput<'_>,
    ) -> DomainResult<Volunteer> {
        let draft = VolunteerDraft::parse(input)?;
        self.deployment_region(draft.region, "region")?;
        if self.store.volunteer_of(actor.user_id).await?.is_some() {
            return Err(DomainError::Conflict("您已是注册科技志愿者".into()));
        }
        let row = self.sealed(&draft);
        if !self
            .store
            .registered_id_blinds(std::slice::from_ref(&row.id_blind))
            .await?
            .is_empty()
        {
            return Err(duplicate_id());
        }
        let ids = self
            .store
            .register_volunteers(&[(VolunteerAccount::User(actor.user_id), row)], self.now())
            .await?;
        let id = ids.first().copied().ok_or_else(no_volunteer)?;
        self.store.volunteer(id).await?.ok_or_else(no_volunteer)
    }

    /// The caller's own profile, if they registered.
    pub async fn mine(&self, actor: &Actor) -> DomainResult<Option<Volunteer>> {
        Ok(self.store.volunteer_of(actor.user_id).await?)
    }

    /// A profile, for the person and the admins of its region (a phone shown masked to
    /// everyone else: volunteers are not a public directory).
    pub async fn get(&self, actor: &Actor, id: VolunteerId) -> DomainResult<Volunteer> {
        let v = self.store.volunteer(id).await?.ok_or_else(no_volunteer)?;
        if !actor.sees_personal_data(v.user, Some(v.region)) {
            return Err(DomainError::Forbidden(
                "只有本人和所在地区的管理员可以查看志愿者档案".into(),
            ));
        }
        Ok(v)
    }

    /// The full ID-card number: for the person and the admins of the profile's region; the
    /// reading is written to the audit log before the number is returned.
    pub async fn id_card(&self, actor: &Actor, id: VolunteerId) -> DomainResult<String> {
        let v = self.get(actor, id).await?;
        let audit = AuditRecord {
            actor: Some(actor.user_id),
            at: self.now(),
            action: "volunteer.id_card.read".into(),
            target_kind: "volunteer".into(),
            target_id: id.to_string(),
            region: Some(v.region),
            before: None,
            after: Some(json!({ "id_card": v.id_card_masked })),
        };
        let sealed = self
            .store
            .reveal_id_card(id, audit)
            .await?
            .ok_or_else(no_volunteer)?;
        self.personal_data.open(ID_CARD_FIELD, &sealed)
    }

    /// Volunteers of a region the caller administers (newest first).
    pub async fn list(
        &self,
        actor: &Actor,
        region: Option<RegionCode>,
        skill: Option<Skill>,
        page: Page,
    ) -> DomainResult<Paged<Volunteer>> {
        let scope = self.admin_scope_of(actor, region)?;
        Ok(self
            .store
            .volunteers(&VolunteerFilter { scope, skill }, page)
            .await?)
    }

    /// Every volunteer of a region the caller administers (the export).
    pub async fn export(
        &self,
        actor: &Actor,
        region: Option<RegionCode>,
    ) -> DomainResult<Vec<Volunteer>> {
        let scope = self.admin_scope_of(actor, region)?;
        Ok(self.store.all_volunteers(&scope).await?)
    }

    /// The caller's admin scope, narrowed to `region` if given; forbidden for a non-admin or
    /// a region outside their own.
    pub(super) fn admin_scope_of(
        &self,
        actor: &Actor,
        region: Option<RegionCode>,
    ) -> DomainResult<RegionScope> {
        let scope = actor.admin_scope();
        if scope.is_empty() {
            return Err(DomainError::Forbidden(
                "只有地区管理员可以查看志愿者名册".into(),
            ));
        }
        match region {
            Some(r) if !actor.administers(r) => Err(DomainError::Forbidden(format!(
                "您不是 {} 的管理员",
                self.regions.full_name(r)
            ))),
            Some(r) => Ok(scope.narrow(r)),
            None => Ok(scope),
        }
    }

    /// A region admin's volunteers' sheet: every row checked (bad ID number, phone, region or
    /// skill; a region outside the admin's; a number registered already; the same person twice)
    /// and reported by its row number. With `apply`, a clean sheet is registered in one
    /// transaction; a sheet with any bad row registers nobody.
    pub async fn import_volunteers(
        &self,
        actor: &Actor,
        sheet: &Sheet,
        apply: bool,
    ) -> DomainResult<(RowReport<ImportedRow>, usize)> {
        if !actor.runs_regions() {
            return Err(DomainError::Forbidden(
                "只有地区管理员可以导入志愿者".into(),
            ));
        }
        let read = import::read::<VolunteerSheet>(sheet)?;
        let mut errors = read.errors;
        let mut good: Vec<(usize, VolunteerDraft, NewVolunteer)> = Vec::new();
        for (row, draft) in read.rows {
            if let Err(e) = self.deployment_region(draft.region, "region") {
                errors.push(RowError::new(row, Some("地区代码"), e.to_string()));
            } else if !actor.administers(draft.region) {
                errors.push(RowError::new(row, Some("地区代码"), "不在您管理的地区内"));
            } else {
                let sealed = self.sealed(&draft);
                good.push((row, draft, sealed));
            }
        }
        // Numbers registered already, asked once for the whole sheet.
        let blinds: Vec<String> = good.iter().map(|(_, _, s)| s.id_blind.clone()).collect();
        let taken: HashSet<String> = self
            .store
            .registered_id_blinds(&blinds)
            .await?
            .into_iter()
            .collect();
        // Accounts by phone: one that already has a profile is a duplicate too.
        let mut rows = Vec::new();
        let mut report = RowReport {
            rows: Vec::new(),
            errors,
        };
        let mut phones_seen: HashSet<String> = HashSet::new();
        for (row, draft, sealed) in good {
            if taken.contains(&sealed.id_blind) {
                report.errors.push(RowError::new(
                    row,
                    Some("身份证号"),
                    "该身份证号码已登记为志愿者",
                ));
                continue;
            }
            if !phones_seen.insert(sealed.phone.clone()) {
                report
                    .errors
                    .push(RowError::new(row, Some("手机号"), "与前面一行的手机号相同"));
                continue;
            }
            let account = match self
                .store
                .user_by_login(&Login::Phone(draft.phone.clone()))
                .await?
            {
                Some(u) => {
                    if self.store.volunteer_of(u.id).await?.is_some() {
                        report.errors.push(RowError::new(
                            row,
                            Some("手机号"),
                            "该手机号的用户已是注册志愿者",
                        ));
                        continue;
                    }
                    VolunteerAccount::User(u.id)
                }
                None => VolunteerAccount::Phone,
            };
            report.rows.push((
                row,
                ImportedRow {
                    label: format!("{}（{}）", draft.name, draft.id_card.masked()),
                },
            ));
            rows.push((account, sealed));
        }
        report.errors.sort_by_key(|e| e.row);
        if !apply || !report.is_clean() {
            return Ok((report, 0));
        }
        let ids = self.store.register_volunteers(&rows, self.now()).await?;
        Ok((report, ids.len()))
    }
}

impl Volunteers<'_> {
    /// A region admin creates a team in their region, under a parent one level up.
    pub async fn create_team(&self, actor: &Actor, draft: TeamDraft) -> DomainResult<Team> {
        self.deployment_region(draft.region, "region")?;
        if !actor.administers(draft.region) {
            return Err(DomainError::Forbidden(
                "只有本地区的管理员可以建立志愿队伍".into(),
            ));
        }
        self.check_team(&draft).await?;
        let parent = draft.parent.map(Ok);
        let ids = self
            .store
            .create_teams(
                &[(
                    NewTeam {
                        draft,
                        created_by: actor.user_id,
                    },
                    parent,
                )],
                self.now(),
            )
            .await?;
        let id = ids.first().copied().ok_or_else(no_team)?;
        self.team(id).await
    }

    async fn check_team(&self, draft: &TeamDraft) -> DomainResult<()> {
        self.banned_words
            .check("name", &[draft.name.as_str(), draft.description.as_str()])?;
        if let Some(parent) = draft.parent {
            let p = self
                .store
                .team(parent)
                .await?
                .ok_or_else(|| DomainError::invalid("parent", "上级队伍不存在"))?;
            fits_under(draft.level, draft.region, p.level, p.region)?;
        }
        self.leader_is_volunteer(draft.leader).await
    }

    async fn leader_is_volunteer(&self, leader: UserId) -> DomainResult<()> {
        if self.store.volunteer_of(leader).await?.is_none() {
            return Err(DomainError::invalid("leader", "队长须先登记为科技志愿者"));
        }
        Ok(())
    }

    /// The registered volunteer with this phone number (a leader picked on a page).
    pub async fn volunteer_by_phone(&self, phone: &str) -> DomainResult<Volunteer> {
        let phone = crate::accounts::Phone::parse(phone)
            .map_err(|_| DomainError::invalid("leader", "请输入队长的 11 位手机号"))?;
        let user = self.store.user_by_login(&Login::Phone(phone)).await?;
        let found = match user {
            Some(u) => self.store.volunteer_of(u.id).await?,
            None => None,
        };
        found.ok_or_else(|| DomainError::invalid("leader", "该手机号不是已登记的科技志愿者"))
    }

    pub async fn team(&self, id: TeamId) -> DomainResult<Team> {
        self.store.team(id).await?.ok_or_else(no_team)
    }

    /// Teams of a region's subtree (public: teams recruit).
    pub async fn teams(&self, region: Option<RegionCode>, page: Page) -> DomainResult<Paged<Team>> {
        let root = match region {
            Some(r) => self.visible_region(r)?.code,
            None => self.root,
        };
        Ok(self
            .store
            .teams(&RegionScope::Within(vec![root]), page)
            .await?)
    }

    pub async fn sub_teams(&self, id: TeamId) -> DomainResult<Vec<Team>> {
        Ok(self.store.sub_teams(id).await?)
    }

    /// The region admin changes a team's leader (audited).
    pub async fn change_leader(
        &self,
        actor: &Actor,
        id: TeamId,
        leader: UserId,
    ) -> DomainResult<Team> {
        let team = self.team(id).await?;
        if !actor.administers(team.region) {
            return Err(DomainError::Forbidden(
                "只有队伍所在地区的管理员可以更换队长".into(),
            ));
        }
        self.leader_is_volunteer(leader).await?;
        let audit = AuditRecord {
            actor: Some(actor.user_id),
            at: self.now(),
            action: "volunteer_team.leader".into(),
            target_kind: "volunteer_team".into(),
            target_id: id.to_string(),
            region: Some(team.region),
            before: Some(json!({ "leader": team.leader })),
            after: Some(json!({ "leader": leader })),
        };
        self.store.change_leader(id, leader, audit).await?;
        self.team(id).await
    }

    /// A registered volunteer asks to join a team.
    pub async fn request_to_join(&self, actor: &Actor, id: TeamId) -> DomainResult<()> {
        self.team(id).await?;
        if self.store.volunteer_of(actor.user_id).await?.is_none() {
            return Err(DomainError::Conflict(
                "请先登记为科技志愿者，再申请加入队伍".into(),
            ));
        }
        Ok(self
            .store
            .request_membership(id, actor.user_id, self.now())
            .await?)
    }

    /// The team's leader (or the region's admin) approves or declines a request.
    pub async fn decide(
        &self,
        actor: &Actor,
        id: TeamId,
        user: UserId,
        approve: bool,
        reason: &str,
    ) -> DomainResult<()> {
        let team = self.team(id).await?;
        if !team.managed_by(actor) {
            return Err(DomainError::Forbidden(
                "只有队长或所在地区的管理员可以审核入队申请".into(),
            ));
        }
        let (status, reason) = decision(approve, reason)?;
        let audit = AuditRecord {
            actor: Some(actor.user_id),
            at: self.now(),
            action: "volunteer_team.decide".into(),
            target_kind: "volunteer_team".into(),
            target_id: id.to_string(),
            region: Some(team.region),
            before: None,
            after: Some(json!({ "user": user, "status": status.code(), "reason": reason })),
        };
        Ok(self
            .store
            .decide_membership(id, user, status, reason, &audit)
            .await?)
    }

    /// Requests and members: for the team's managers; others see the approved members only.
    pub async fn members(
        &self,
        actor: Option<&Actor>,
        id: TeamId,
    ) -> DomainResult<Vec<Membership>> {
        let team = self.team(id).await?;
        let all = self.store.memberships(id).await?;
        if actor.is_some_and(|a| team.managed_by(a)) {
            return Ok(all);
        }
        Ok(all
            .into_iter()
            .filter(|m| m.status == MembershipStatus::Approved)
            .collect())
    }

    pub async fn my_teams(&self, actor: &Actor) -> DomainResult<Vec<Membership>> {
        Ok(self.store.memberships_of(actor.user_id).await?)
    }

    /// A region admin's teams' sheet: rows checked (level, region, leader by phone — a
    /// registered volunteer —, a parent named in the sheet or stored, one level up and in
    /// its region, a name taken already) and reported by row; with `apply`, a clean sheet
    /// creates every team in one transaction, parents before their sub-teams.
    pub async fn import_teams(
        &self,
        actor: &Actor,
        sheet: &Sheet,
        apply: bool,
    ) -> DomainResult<(RowReport<ImportedRow>, usize)> {
        if !actor.runs_regions() {
            return Err(DomainError::Forbidden(
                "只有地区管理员可以导入志愿队伍".into(),
            ));
        }
        let read = import::read::<TeamSheet>(sheet)?;
        let mut report = RowReport {
            rows: Vec::new(),
            errors: read.errors,
        };
        let in_sheet: HashMap<String, usize> = read
            .rows
            .iter()
            .enumerate()
            .map(|(i, (_, r))| (r.draft.name.clone(), i))
            .collect();
        let mut names: Vec<String> = read
            .rows
            .iter()
            .map(|(_, r)| r.draft.name.clone())
            .collect();
        names.extend(read.rows.iter().filter_map(|(_, r)| r.parent.clone()));
        let stored: HashMap<String, Team> = self
            .store
            .teams_named(&names)
            .await?
            .into_iter()
            .map(|t| (t.name.clone(), t))
            .collect();
        let mut teams: Vec<(NewTeam, Option<Result<TeamId, usize>>)> = Vec::new();
        // A row's index in `teams`, by its index in the sheet's good rows.
        let mut position: HashMap<usize, usize> = HashMap::new();
        let order = parents_first(&read.rows, &in_sheet);
        for i in order {
            let (row, r) = &read.rows[i];
            match self
                .team_row(actor, r, &read.rows, &in_sheet, &stored, &position)
                .await?
            {
                Err(e) => report.errors.push(e.at(*row)),
                Ok((mut draft, parent)) => {
                    draft.parent = match parent {
                        Some(Ok(id)) => Some(id),
                        _ => None,
                    };
                    position.insert(i, teams.len());
                    report.rows.push((
                        *row,
                        ImportedRow {
                            label: format!("{}（{}）", draft.name, draft.level.label_zh()),
                        },
                    ));
                    teams.push((
                        NewTeam {
                            draft,
                            created_by: actor.user_id,
                        },
                        parent,
                    ));
                }
            }
        }
        report.errors.sort_by_key(|e| e.row);
        report.rows.sort_by_key(|(row, _)| *row);
        if !apply || !report.is_clean() {
            return Ok((report, 0));
        }
        let ids = self.store.create_teams(&teams, self.now()).await?;
        Ok((report, ids.len()))
    }

    /// One team row checked against the database and the sheet; its parent as a stored team's
    /// id or the index (in the teams to create) of a row above it.
    async fn team_row(
        &self,
        actor: &Actor,
        r: &TeamRow,
        rows: &[(usize, TeamRow)],
        in_sheet: &HashMap<String, usize>,
        stored: &HashMap<String, Team>,
        position: &HashMap<usize, usize>,
    ) -> DomainResult<Result<(TeamDraft, Option<Result<TeamId, usize>>), CellError>> {
        let bad = |column, message: String| Ok(Err(CellError::new(column, message)));
        let mut draft = r.draft.clone();
        if let Err(e) = self.deployment_region(draft.region, "region") {
            return bad("地区代码", e.to_string());
        }
        if !actor.administers(draft.region) {
            return bad("地区代码", "不在您管理的地区内".into());
        }
        if stored.contains_key(&draft.name) {
            return bad("队伍名称", "已有同名队伍".into());
        }
        let leader = self
            .store
            .user_by_login(&Login::Phone(r.leader_phone.clone()))
            .await?;
        let Some(leader) = leader else {
            return bad("队长手机号", "该手机号尚未注册".into());
        };
        if self.store.volunteer_of(leader.id).await?.is_none() {
            return bad("队长手机号", "队长须先登记为科技志愿者".into());
        }
        draft.leader = leader.id;
        let parent = match &r.parent {
            None => None,
            Some(name) => {
                let (level, region, link) = if let Some(&i) = in_sheet.get(name) {
                    let Some(&pos) = position.get(&i) else {
                        return bad("上级队伍", "上级队伍所在的行有错误".into());
                    };
                    let p = &rows[i].1.draft;
                    (p.level, p.region, Err(pos))
                } else if let Some(t) = stored.get(name) {
                    (t.level, t.region, Ok(t.id))
                } else {
                    return bad("上级队伍", format!("找不到上级队伍：{name}"));
                };
                if let Err(e) = fits_under(draft.level, draft.region, level, region) {
                    return bad("上级队伍", e.to_string());
                }
                Some(link)
            }
        };
        Ok(Ok((draft, parent)))
    }
}

/// A bad cell of a row whose number is added by the caller.
struct CellError {
    column: &'static str,
    message: String,
}

impl CellError {
    fn new(column: &'static str, message: impl Into<String>) -> Self {
        Self {
            column,
            message: message.into(),
        }
    }

    fn at(self, row: usize) -> RowError {
        RowError::new(row, Some(self.column), self.message)
    }
}

/// The sheet's rows in an order where a parent named in the sheet comes before its sub-teams
/// (a cycle or a missing parent leaves the rest in sheet order; their rows are then reported).
fn parents_first(rows: &[(usize, TeamRow)], in_sheet: &HashMap<String, usize>) -> Vec<usize> {
    let depth = |mut i: usize| {
        let mut d = 0;
        while let Some(p) = rows[i].1.parent.as_ref().and_then(|n| in_sheet.get(n)) {
            d += 1;
            if d > rows.len() {
                break;
            }
            i = *p;
        }
        d
    };
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| (depth(i), i));
    order
}
