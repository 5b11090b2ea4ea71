//! 人口库 / 法人库 (承德 004 第十七条): the local copy of the base records of
//! natural and legal persons, kept current by extracts (an administrator's
//! upload, or a file put in the watched folder) and by the optional look-up
//! service; registration of a public account and counter registration of
//! an applicant are checked against it, the online application form is
//! prefilled from it, and a material drawn from it is trust A.
//!
//! A person's 身份证号 is stored only as its SM3 key and masked: the
//! registry finds a number it is given, and never lists one in full.

pub mod extract;
pub mod lookup;
pub mod material;
pub mod watch;

use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, Ctx};
use extract::{CellError, Format};
use serde::Serialize;
use serde_json::json;
use zwfw_domain::access::registry::{may, RegistryAction};
use zwfw_domain::admin::Role;
use zwfw_domain::ids::{mask_address, mask_name, CreditCode, ResidentId};
use zwfw_domain::registry::{person_key, verdict, CompanyStatus, Field, Record, RecordKind, RecordSource, Verdict};
use zwfw_store::registry::{self as store, CompanyRow, NewCompany, NewPerson, PersonRow, Upserted};

/// The registry's settings: the watched folder and the look-up service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryConfig {
    /// Extracts put here are imported by the background job and moved to
    /// `done/` or `failed/` beside a report.
    pub watch_dir: Option<std::path::PathBuf>,
    pub lookup: Option<lookup::LookupConfig>,
}

/// What an import stored.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[schema(as = RegistryImported)]
pub struct Imported {
    pub format: String,
    pub persons_added: usize,
    pub persons_replaced: usize,
    pub persons_unchanged: usize,
    pub companies_added: usize,
    pub companies_replaced: usize,
    pub companies_unchanged: usize,
}

/// Why an import stored nothing: every bad cell.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = RegistryImportReport)]
pub struct ImportReport {
    /// registry_import_rejected | registry_format | forbidden | login_required
    pub code: String,
    pub message: String,
    /// Every bad cell; absent when the refusal is not about cells (no file,
    /// not signed in), so that such an answer has the shape of any error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<CellError>,
}

impl ImportReport {
    fn of(e: AppError) -> ImportReport {
        ImportReport { code: e.code().into(), message: e.message(), errors: vec![] }
    }
    fn rejected(errors: Vec<CellError>) -> ImportReport {
        ImportReport {
            code: "registry_import_rejected".into(),
            message: crate::messages::error_text("registry_import_rejected", Some(&errors.len().to_string())),
            errors,
        }
    }
}

/// A record as the registry shows it (a person's number masked).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = RegistryRecord)]
pub struct RecordView {
    /// person | company
    pub kind: String,
    pub name: String,
    /// 公民身份号码 masked, or the 统一社会信用代码.
    pub number: String,
    pub address: String,
    /// 法定代表人 (a company).
    pub legal_rep: String,
    /// 登记状态 code (a company), e.g. active.
    pub status: String,
    /// 登记状态 in Chinese, e.g. 存续.
    pub status_label: String,
    /// import | lookup | demo
    pub source: String,
    pub updated_at: i64,
    /// The record's fields as shown, named for its kind (姓名 or 名称, …),
    /// in the order of the registry's template.
    pub fields: Vec<ShownField>,
}

/// One field of a record as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = RegistryShownField)]
pub struct ShownField {
    /// The field's name in Chinese, for the record's kind.
    pub label: String,
    /// Its value (a person's number masked; `—` when empty).
    pub value: String,
}

impl RecordView {
    /// The record with its fields named for its kind.
    fn shown(mut self, kind: RecordKind) -> Self {
        self.fields = Field::of(kind)
            .iter()
            .map(|f| {
                let value = match f {
                    Field::Name => &self.name,
                    Field::IdNumber | Field::CreditCode => &self.number,
                    Field::LegalRep => &self.legal_rep,
                    Field::Address => &self.address,
                    Field::Status => &self.status_label,
                };
                let value = if value.is_empty() { "—".to_string() } else { value.clone() };
                ShownField { label: f.label(kind).into(), value }
            })
            .collect();
        self
    }
}

impl RecordView {
    /// The record as a list shows it to the administrators, who browse many
    /// people's records and look for none in particular: a person's name and
    /// address masked (and the number, as always), a company's 法定代表人
    /// masked. A look-up of one number shows that record whole.
    fn listed(mut self, kind: RecordKind) -> Self {
        match kind {
            RecordKind::Person => {
                self.name = mask_name(&self.name);
                self.address = mask_address(&self.address);
            }
            RecordKind::Company => self.legal_rep = mask_name(&self.legal_rep),
        }
        self.shown(kind)
    }
}

impl From<PersonRow> for RecordView {
    fn from(p: PersonRow) -> Self {
        RecordView {
            kind: RecordKind::Person.code().into(),
            name: p.name,
            number: p.id_masked,
            address: p.address,
            legal_rep: String::new(),
            status: String::new(),
            status_label: String::new(),
            source: p.source,
            updated_at: p.updated_at,
            fields: vec![],
        }
        .shown(RecordKind::Person)
    }
}

impl From<CompanyRow> for RecordView {
    fn from(c: CompanyRow) -> Self {
        RecordView {
            kind: RecordKind::Company.code().into(),
            status_label: CompanyStatus::parse(&c.status).map(|s| s.label()).unwrap_or_default().into(),
            name: c.name,
            number: c.credit_code,
            address: c.address,
            legal_rep: c.legal_rep,
            status: c.status,
            source: c.source,
            updated_at: c.updated_at,
            fields: vec![],
        }
        .shown(RecordKind::Company)
    }
}

/// The registry's contents at a glance, and a page of each list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = RegistryOverview)]
pub struct Overview {
    pub persons: i64,
    pub companies: i64,
    /// Whether a look-up service is configured.
    pub lookup_configured: bool,
    /// Whether a watched folder is configured.
    pub watch_configured: bool,
    pub latest_persons: Vec<RecordView>,
    pub latest_companies: Vec<RecordView>,
}

fn allowed(ctx: &Ctx<'_>, action: RegistryAction) -> AppResult<Role> {
    let a = ctx.actor.ok_or_else(|| AppError::new(Kind::Unauthenticated, "login_required"))?;
    may(a, action).map_err(|r| AppError::refused(r, "registry_record"))
}

/// Whether the actor may look numbers up at all (asked before the form is
/// read): the refusal [`look_up`] would give, or nothing.
pub fn may_look_up(ctx: &Ctx<'_>) -> AppResult<()> {
    allowed(ctx, RegistryAction::LookUp).map(|_| ())
}

/// Stores checked records in `tx`, counting what each did.
async fn store_records(
    tx: &mut zwfw_store::Tx,
    records: impl Iterator<Item = &Record>,
    source: RecordSource,
    by: Option<i64>,
    now: i64,
    n: &mut Imported,
) -> AppResult<()> {
    for r in records {
        match r {
            Record::Person(p) => {
                let key = person_key(&p.id);
                let row = NewPerson { key: &key, masked: &p.id.masked(), name: &p.name, address: &p.address };
                match store::upsert_person(tx, &row, source.code(), by, now).await? {
                    Upserted::Added => n.persons_added += 1,
                    Upserted::Replaced => n.persons_replaced += 1,
                    Upserted::Unchanged => n.persons_unchanged += 1,
                }
            }
            Record::Company(c) => {
                let row = NewCompany {
                    credit_code: c.code.as_str(),
                    name: &c.name,
                    legal_rep: &c.legal_rep,
                    address: &c.address,
                    status: c.status.code(),
                };
                match store::upsert_company(tx, &row, source.code(), by, now).await? {
                    Upserted::Added => n.companies_added += 1,
                    Upserted::Replaced => n.companies_replaced += 1,
                    Upserted::Unchanged => n.companies_unchanged += 1,
                }
            }
        }
    }
    Ok(())
}

/// Imports an extract: every record or none. A record replaces the one of
/// the same number; records the extract does not name stay as they are.
/// `origin` says where it came from (upload, or the watched folder).
pub(crate) async fn import_checked(
    ctx: &Ctx<'_>,
    file_name: &str,
    bytes: &[u8],
    origin: &str,
) -> Result<Imported, ImportReport> {
    let format = Format::of(file_name, bytes)
        .ok_or_else(|| ImportReport::rejected(vec![CellError::file("registry_format", None)]))?;
    let records = extract::read(format, bytes).map_err(ImportReport::rejected)?;
    let mut n = Imported { format: format.code().into(), ..Imported::default() };
    let result = async {
        let now = ctx.now();
        let mut tx = ctx.state.store.begin().await?;
        let by = ctx.actor.map(|a| a.user_id);
        store_records(&mut tx, records.iter().map(|(_, r)| r), RecordSource::Import, by, now, &mut n).await?;
        let name: String = file_name.chars().filter(|c| !c.is_control()).take(100).collect();
        ctx.audit(
            &mut tx,
            ctx.entry(
                "registry_import",
                "registry",
                origin,
                json!({"file": name, "format": format.code(), "sm3": zwfw_domain::audit::sm3_hex(bytes),
                       "persons": [n.persons_added, n.persons_replaced, n.persons_unchanged],
                       "companies": [n.companies_added, n.companies_replaced, n.companies_unchanged]}),
                "",
            ),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    result.map_err(ImportReport::of)?;
    Ok(n)
}

/// Stores records on their own (the demo city's), audited with their count.
pub(crate) async fn store_alone(ctx: &Ctx<'_>, records: &[Record], source: RecordSource) -> AppResult<usize> {
    let mut n = Imported::default();
    let mut tx = ctx.state.store.begin().await?;
    store_records(&mut tx, records.iter(), source, None, ctx.now(), &mut n).await?;
    ctx.audit(&mut tx, ctx.entry("registry_import", "registry", source.code(), json!({"records": records.len()}), ""))
        .await?;
    tx.commit().await?;
    Ok(records.len())
}

/// Whether the registry holds no record at all.
pub async fn is_empty(st: &App) -> AppResult<bool> {
    Ok(store::counts(&st.store).await? == (0, 0))
}

/// An administrator's import of an extract (xlsx, CSV or JSON).
/// Whether the reader may import at all, decided before the upload is read
/// (the refusal as the import answers it).
pub fn import_refusal(ctx: &Ctx<'_>) -> Option<ImportReport> {
    allowed(ctx, RegistryAction::Import).err().map(ImportReport::of)
}

pub async fn import(ctx: &Ctx<'_>, file_name: &str, bytes: &[u8]) -> Result<Imported, ImportReport> {
    allowed(ctx, RegistryAction::Import).map_err(ImportReport::of)?;
    import_checked(ctx, file_name, bytes, "upload").await
}

/// The counts and the latest records of each kind (for the administrators).
pub async fn overview(ctx: &Ctx<'_>) -> AppResult<Overview> {
    allowed(ctx, RegistryAction::Browse)?;
    let st = &ctx.state.store;
    let (persons, companies) = store::counts(st).await?;
    Ok(Overview {
        persons,
        companies,
        lookup_configured: ctx.state.config.registry.lookup.is_some(),
        watch_configured: ctx.state.config.registry.watch_dir.is_some(),
        latest_persons: store::list_persons(st, 0, 20)
            .await?
            .into_iter()
            .map(|p| RecordView::from(p).listed(RecordKind::Person))
            .collect(),
        latest_companies: store::list_companies(st, 0, 20)
            .await?
            .into_iter()
            .map(|c| RecordView::from(c).listed(RecordKind::Company))
            .collect(),
    })
}

/// A number checked for its kind.
enum Number {
    Person(ResidentId),
    Company(CreditCode),
}

impl Number {
    fn parse(kind: RecordKind, number: &str) -> AppResult<Number> {
        Ok(match kind {
            RecordKind::Person => Number::Person(ResidentId::parse(number)?),
            RecordKind::Company => Number::Company(CreditCode::parse(number)?),
        })
    }
    fn kind(&self) -> RecordKind {
        match self {
            Number::Person(_) => RecordKind::Person,
            Number::Company(_) => RecordKind::Company,
        }
    }
    fn as_str(&self) -> &str {
        match self {
            Number::Person(p) => p.as_str(),
            Number::Company(c) => c.as_str(),
        }
    }
    fn masked(&self) -> String {
        match self {
            Number::Person(p) => p.masked(),
            Number::Company(c) => c.as_str().to_string(),
        }
    }
}

/// The local record of a number.
async fn local(st: &App, n: &Number) -> AppResult<Option<RecordView>> {
    Ok(match n {
        Number::Person(id) => store::find_person(st.store.pool(), &person_key(id)).await?.map(Into::into),
        Number::Company(c) => store::find_company(st.store.pool(), c.as_str()).await?.map(Into::into),
    })
}

/// The record of a number: the local copy's, else the look-up service's
/// (then kept in the local copy, audited). `Err` only when the service
/// failed.
async fn find(ctx: &Ctx<'_>, n: &Number) -> AppResult<Option<RecordView>> {
    if let Some(r) = local(ctx.state, n).await? {
        return Ok(Some(r));
    }
    let Some(cfg) = &ctx.state.config.registry.lookup else { return Ok(None) };
    let answered = lookup::ask(cfg, n.kind(), n.as_str()).await.map_err(|e| {
        tracing::warn!(detail = e.detail, what = %e.what, "registry look-up service failed");
        AppError::with_detail(Kind::Unavailable, "registry_lookup_failed", e.detail)
    })?;
    let Some(record) = answered else { return Ok(None) };
    let mut counts = Imported::default();
    let mut tx = ctx.state.store.begin().await?;
    store_records(&mut tx, std::iter::once(&record), RecordSource::Lookup, None, ctx.now(), &mut counts).await?;
    ctx.audit(&mut tx, ctx.entry("registry_fetched", "registry", n.kind().code(), json!({"number": n.masked()}), ""))
        .await?;
    tx.commit().await?;
    local(ctx.state, n).await
}

/// Counter staff (or a system administrator) look a number up: the record,
/// or `registry_not_found`. Each look-up is audited.
pub async fn look_up(ctx: &Ctx<'_>, kind: &str, number: &str) -> AppResult<RecordView> {
    allowed(ctx, RegistryAction::LookUp)?;
    let kind = RecordKind::parse(kind).ok_or_else(|| AppError::with_detail(Kind::BadInput, "bad_filter", "kind"))?;
    let n = Number::parse(kind, number)?;
    let found = find(ctx, &n).await;
    let outcome = match &found {
        Ok(Some(_)) => "found",
        Ok(None) => "not_found",
        Err(_) => "failed",
    };
    ctx.audit_alone(ctx.entry(
        "registry_look_up",
        "registry",
        kind.code(),
        json!({"number": n.masked(), "lookup": outcome}),
        "",
    ))
    .await?;
    found?.ok_or_else(|| AppError::new(Kind::NotFound, "registry_not_found"))
}

/// Checks a name against the registry's record of a number, when it holds
/// one: `registry_mismatch` when the name differs, `registry_not_operating`
/// for a legal person no longer 存续. No record (or a look-up service that
/// does not answer) leaves nothing to check. Returns the record.
pub async fn check_identity(
    ctx: &Ctx<'_>,
    kind: RecordKind,
    number: &str,
    name: &str,
) -> AppResult<Option<RecordView>> {
    let n = Number::parse(kind, number)?;
    let record = match find(ctx, &n).await {
        Ok(r) => r,
        Err(e) if e.code() == "registry_lookup_failed" => None,
        Err(e) => return Err(e),
    };
    let status = record.as_ref().and_then(|r| CompanyStatus::parse(&r.status));
    match verdict(record.as_ref().map(|r| r.name.as_str()), status, name) {
        Verdict::Confirmed | Verdict::Unknown => Ok(record),
        Verdict::NameMismatch => Err(AppError::with_detail(Kind::Invalid, "registry_mismatch", kind.code())),
        Verdict::NotOperating(s) => Err(AppError::with_detail(Kind::Invalid, "registry_not_operating", s.code())),
    }
}

/// The signed-in public user's own record (to prefill their application):
/// the local copy's or the look-up service's; none for staff.
pub async fn own_record(ctx: &Ctx<'_>) -> AppResult<Option<RecordView>> {
    let Some(a) = ctx.actor.filter(|a| !a.is_staff()) else { return Ok(None) };
    let user = zwfw_store::admin::get_user(&ctx.state.store, a.user_id).await?;
    let n = match (user.id_number.as_deref(), user.credit_code.as_deref()) {
        (Some(id), _) => Number::Person(ResidentId::parse(id)?),
        (None, Some(code)) => Number::Company(CreditCode::parse(code)?),
        _ => return Ok(None),
    };
    Ok(find(ctx, &n).await.unwrap_or(None))
}
