//! Operations part B on every available engine: anonymous tips and their triage,
//! escalations through the police and the committee with notifications, conditional
//! businesses with inspections, the due list and site links.

use chrono::NaiveDate;
use diaban_domain::UnitLevel;
use diaban_domain::access::Role;
use diaban_domain::business::{BusinessLine, InspectionKind, inspection_cutoff};
use diaban_domain::escalation::{EscalationState, EscalationStep, Level, StepError};
use diaban_domain::incident::IncidentKind;
use diaban_domain::site::{LatLon, SiteKind, SiteState};
use diaban_domain::tip::TipStatus;
use diaban_store::audit::{self, AuditFilter, NewEntry};
use diaban_store::businesses::{self, BusinessError, BusinessFilter, NewBusiness, NewInspection};
use diaban_store::escalations::{self, NewEscalation, StepFailure, StepRequest, Visibility};
use diaban_store::incidents::{self, IncidentFilter, NewIncident};
use diaban_store::persons::Scope;
use diaban_store::sites::{self, NewSite};
use diaban_store::tips::{self, NewTip, SiteChoice, TriageError};
use diaban_store::units::{self, Unit};
use diaban_store::{Db, notifications, reference, testing, users};
use diaban_vault::KeyRing;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn entry(action: &str) -> Option<NewEntry> {
    Some(NewEntry { actor: "cli".into(), action: action.into(), ..Default::default() })
}

async fn province(db: &Db) -> (Unit, Unit, Unit) {
    reference::load_units(db).await.unwrap();
    let qn = units::by_code(db, "51", Some(UnitLevel::Province), d(2026, 1, 1)).await.unwrap().unwrap();
    let c = units::children(db, qn.id).await.unwrap();
    (qn, c[0].clone(), c[1].clone())
}

async fn user(db: &Db, name: &str, role: Role, unit: &Unit) -> i64 {
    users::create(
        db,
        &users::NewUser {
            username: name.into(),
            display_name: name.into(),
            password_hash: "x".into(),
            role,
            unit_id: unit.id,
            must_change_password: false,
        },
    )
    .await
    .unwrap()
}

fn tip(unit: &Unit, text: &str, hash: Option<&str>) -> NewTip {
    NewTip {
        unit_id: unit.id,
        location: Some(LatLon::new(15.12, 108.80).unwrap()),
        address: "Thôn 3, gần chợ".into(),
        text: text.into(),
        follow_up_hash: hash.map(str::to_owned),
    }
}

#[tokio::test]
async fn tips_are_sealed_queued_by_commune_and_triaged_once() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let keys = KeyRing::generate();
        let (qn, a, b) = province(db).await;
        let secret = "Nguyễn Văn Bí Mật bán ma túy ở nhà số 7";
        let id = tips::submit(db, &keys, &tip(&a, secret, Some("hash-of-code")), entry("tip.create"))
            .await
            .unwrap();
        let other = tips::submit(db, &keys, &tip(&b, "Tụ tập ban đêm", None), None).await.unwrap();
        // Sealed: the text is nowhere in clear in the table.
        let raw = testing::query_text(db, "SELECT text_sealed, address_sealed FROM tips").await.unwrap();
        assert!(
            raw.iter().flatten().flatten().all(|v| !v.contains("Bí Mật") && !v.contains("Thôn 3")),
            "{}",
            db.backend().as_str()
        );
        // Queues by scope: the commune sees its own, the province both.
        let (qa, _) = tips::queue(db, Scope::Commune(a.id), Some(TipStatus::New), 0).await.unwrap();
        assert_eq!(qa.iter().map(|l| l.id).collect::<Vec<_>>(), vec![id]);
        let (qp, total) = tips::queue(db, Scope::Province(qn.id), None, 0).await.unwrap();
        assert_eq!((qp.len(), total), (2, 2));
        assert!(tips::get(db, &keys, id, Scope::Commune(b.id)).await.unwrap().is_none(), "out of scope");
        let opened = tips::get(db, &keys, id, Scope::Commune(a.id)).await.unwrap().unwrap();
        assert_eq!(opened.text, secret);
        assert_eq!(opened.address, "Thôn 3, gần chợ");
        // The follow-up shows the status only.
        let f = tips::follow_up(db, "hash-of-code").await.unwrap().unwrap();
        assert_eq!(f.status, TipStatus::New);
        assert!(tips::follow_up(db, "other").await.unwrap().is_none());

        // Accept with a new site: incident + site + tip in one go.
        let inc = NewIncident {
            kind: IncidentKind::Tip,
            on: d(2026, 3, 1),
            location: LatLon::new(15.12, 108.80).unwrap(),
            unit_id: a.id,
            source: "tip".into(),
            note: String::new(),
        };
        let site = NewSite {
            kind: SiteKind::Point,
            hot_spot: false,
            name: "Nhà số 7".into(),
            description: String::new(),
            address: String::new(),
            unit_id: a.id,
            location: LatLon::new(15.12, 108.80).unwrap(),
            business_ref: None,
            found_how: "Tin báo".into(),
            responsible_user_id: None,
            state: SiteState::Reported,
            on: d(2026, 3, 1),
            note: String::new(),
        };
        // Attaching to a site out of scope is refused and writes nothing.
        let attach_elsewhere =
            tips::Acceptance { incident: inc.clone(), site: SiteChoice::Existing(999_999), radius_m: 200.0 };
        let err =
            tips::accept(db, id, Scope::Commune(a.id), &attach_elsewhere, None, None).await.unwrap_err();
        assert!(matches!(err, TriageError::SiteNotFound), "{err}");
        let open_site =
            tips::Acceptance { incident: inc, site: SiteChoice::New(Box::new(site)), radius_m: 200.0 };
        let acc =
            tips::accept(db, id, Scope::Commune(a.id), &open_site, None, entry("tip.accept")).await.unwrap();
        let s = sites::get(db, acc.site_id.unwrap(), Scope::Commune(a.id)).await.unwrap().unwrap();
        assert_eq!(s.state, SiteState::Reported);
        let (found, _) = incidents::list(db, Scope::Commune(a.id), &IncidentFilter::default()).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].kind, found[0].source.as_str(), found[0].id),
            (IncidentKind::Tip, "tip", acc.incident_id)
        );
        let after = tips::get(db, &keys, id, Scope::Province(qn.id)).await.unwrap().unwrap();
        assert_eq!(
            (after.status, after.incident_id, after.site_id),
            (TipStatus::Accepted, Some(acc.incident_id), acc.site_id)
        );
        assert_eq!(tips::follow_up(db, "hash-of-code").await.unwrap().unwrap().status, TipStatus::Accepted);
        // Once only.
        let again = tips::dismiss(db, id, Scope::Commune(a.id), "trùng", None, None).await.unwrap_err();
        assert!(matches!(again, TriageError::AlreadyTriaged(_)), "{again}");
        // Out of scope looks missing.
        let miss = tips::dismiss(db, other, Scope::Commune(a.id), "x", None, None).await.unwrap_err();
        assert!(matches!(miss, TriageError::NotFound));
        tips::dismiss(db, other, Scope::Province(qn.id), "Không xác minh được", None, entry("tip.dismiss"))
            .await
            .unwrap();
        let (left, _) = tips::queue(db, Scope::Province(qn.id), Some(TipStatus::New), 0).await.unwrap();
        assert!(left.is_empty());
        // Every triage step is in the audit log.
        let f = AuditFilter { action_prefix: Some("tip.".into()), limit: 100, ..Default::default() };
        let (log, _) = audit::search(db, &f).await.unwrap();
        let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
        assert!(
            actions.contains(&"tip.create")
                && actions.contains(&"tip.accept")
                && actions.contains(&"tip.dismiss"),
            "{actions:?}"
        );
        // Rotation re-seals tips.
        let new_keys = keys.rotate();
        diaban_store::persons::rotate_keys(db, &keys, &new_keys).await.unwrap();
        let retired = new_keys.retire(keys.active_key_id()).unwrap();
        assert_eq!(tips::get(db, &retired, id, Scope::Province(qn.id)).await.unwrap().unwrap().text, secret);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn an_escalation_goes_commune_to_police_to_committee_with_deadlines_and_notifications() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (qn, a, b) = province(db).await;
        let commune = user(db, "xa", Role::CommuneOfficer, &a).await;
        let pc04 = user(db, "pc04", Role::ProvinceOfficer, &qn).await;
        let pc04b = user(db, "pc04b", Role::ProvinceOfficer, &qn).await;
        let leader = user(db, "lanhdao", Role::Leader, &qn).await;
        let partner = user(db, "soyte", Role::Partner, &qn).await;
        let new = NewEscalation {
            source_type: "plan_task".into(),
            source_ref: "42".into(),
            unit_id: a.id,
            title: "Thiếu kinh phí".into(),
            body: "Xin bổ sung kinh phí cai nghiện".into(),
            on: d(2026, 3, 1),
            response_days: 10,
        };
        let id = escalations::raise(db, &new, Some(commune), entry("escalation.raise")).await.unwrap();
        let by_source = escalations::by_source(db, "plan_task", "42").await.unwrap();
        assert_eq!(by_source.len(), 1);
        assert_eq!(
            (by_source[0].state, by_source[0].due_on),
            (EscalationState::AtPolice, Some(d(2026, 3, 11)))
        );
        assert!(by_source[0].overdue, "a 2026-03-11 deadline has passed");
        // Every PC04 officer of the province is told.
        assert_eq!(notifications::unread_count(db, pc04).await.unwrap(), 1);
        assert_eq!(notifications::unread_count(db, pc04b).await.unwrap(), 1);
        assert_eq!(notifications::unread_count(db, leader).await.unwrap(), 0);
        // Visibility: the other commune and a partner that did not raise it see nothing.
        let vis = |scope, only| Visibility { scope, only_raised_by: only };
        assert!(escalations::get(db, id, vis(Scope::Commune(b.id), None)).await.unwrap().is_none());
        assert!(
            escalations::get(db, id, vis(Scope::Province(qn.id), Some(partner))).await.unwrap().is_none()
        );
        let police = vis(Scope::Province(qn.id), None);
        let req = |step, level, note: &str, assignee| StepRequest {
            step,
            level,
            note: note.into(),
            assignee_id: assignee,
            on: d(2026, 3, 5),
            response_days: 10,
        };
        // Wrong transitions are refused and write nothing.
        let e = escalations::take_step(
            db,
            id,
            police,
            &req(EscalationStep::Decide, Level::Committee, "x", None),
            Some(leader),
            None,
        )
        .await
        .unwrap_err();
        assert!(matches!(e, StepFailure::Refused(StepError::WrongLevel { .. })), "{e}");
        let e = escalations::take_step(
            db,
            id,
            police,
            &req(EscalationStep::Assign, Level::Police, "", Some(leader)),
            Some(pc04),
            None,
        )
        .await
        .unwrap_err();
        assert!(matches!(e, StepFailure::BadAssignee(_)), "a leader is not a police assignee: {e}");
        let e = escalations::take_step(
            db,
            id,
            police,
            &req(EscalationStep::Forward, Level::Police, " ", None),
            Some(pc04),
            None,
        )
        .await
        .unwrap_err();
        assert!(matches!(e, StepFailure::Refused(StepError::NoteRequired(_))), "{e}");
        // Assign keeps the deadline; forward starts the committee's.
        let x = escalations::take_step(
            db,
            id,
            police,
            &req(EscalationStep::Assign, Level::Police, "", Some(pc04b)),
            Some(pc04),
            None,
        )
        .await
        .unwrap();
        assert_eq!((x.assignee_id, x.due_on), (Some(pc04b), Some(d(2026, 3, 11))));
        assert_eq!(notifications::unread_count(db, pc04b).await.unwrap(), 2);
        let x = escalations::take_step(
            db,
            id,
            police,
            &req(
                EscalationStep::Forward,
                Level::Police,
                "Vượt thẩm quyền: cần UBND tỉnh bố trí kinh phí",
                None,
            ),
            Some(pc04b),
            entry("escalation.forward"),
        )
        .await
        .unwrap();
        assert_eq!(
            (x.state, x.due_on, x.assignee_id),
            (EscalationState::AtCommittee, Some(d(2026, 3, 15)), None)
        );
        assert_eq!(notifications::unread_count(db, leader).await.unwrap(), 1);
        let x = escalations::take_step(
            db,
            id,
            police,
            &req(EscalationStep::Decide, Level::Committee, "Đồng ý bổ sung 200 triệu đồng", None),
            Some(leader),
            entry("escalation.decide"),
        )
        .await
        .unwrap();
        assert_eq!(
            (x.state, x.due_on, x.decision.as_str()),
            (EscalationState::Decided, None, "Đồng ý bổ sung 200 triệu đồng")
        );
        assert!(!x.overdue);
        assert_eq!(
            notifications::unread_count(db, commune).await.unwrap(),
            1,
            "the raiser hears the decision"
        );
        // Final: nothing more.
        let e = escalations::take_step(
            db,
            id,
            police,
            &req(EscalationStep::Return, Level::Committee, "x", None),
            Some(leader),
            None,
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("none (it is final)"), "{e}");
        let h = escalations::history(db, id).await.unwrap();
        let steps: Vec<_> = h.iter().map(|s| s.step.as_str()).collect();
        assert_eq!(steps, ["raise", "assign", "forward", "decide"]);
        // Notifications are read by their owner only.
        let mine = notifications::list(db, commune, 10).await.unwrap();
        assert_eq!(mine[0].kind, "escalation.decide");
        assert_eq!(notifications::mark_read(db, pc04, Some(mine[0].id)).await.unwrap(), 0);
        assert_eq!(notifications::mark_read(db, commune, None).await.unwrap(), 1);
        assert_eq!(notifications::unread_count(db, commune).await.unwrap(), 0);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_return_goes_back_and_a_resubmission_restarts_the_deadline() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (qn, a, _) = province(db).await;
        let commune = user(db, "xa", Role::CommuneOfficer, &a).await;
        let pc04 = user(db, "pc04", Role::ProvinceOfficer, &qn).await;
        let new = NewEscalation {
            source_type: "manual".into(),
            source_ref: String::new(),
            unit_id: a.id,
            title: "T".into(),
            body: "B".into(),
            on: d(2026, 3, 1),
            response_days: 10,
        };
        let id = escalations::raise(db, &new, Some(commune), None).await.unwrap();
        let vis = Visibility { scope: Scope::Commune(a.id), only_raised_by: None };
        let req = |step, level, note: &str| StepRequest {
            step,
            level,
            note: note.into(),
            assignee_id: None,
            on: d(2026, 3, 20),
            response_days: 5,
        };
        let x = escalations::take_step(
            db,
            id,
            vis,
            &req(EscalationStep::Return, Level::Police, "Thiếu số liệu"),
            Some(pc04),
            None,
        )
        .await
        .unwrap();
        assert_eq!((x.state, x.due_on), (EscalationState::Returned, None));
        let x = escalations::take_step(
            db,
            id,
            vis,
            &req(EscalationStep::Resubmit, Level::Raiser, "Đã bổ sung"),
            Some(commune),
            None,
        )
        .await
        .unwrap();
        assert_eq!((x.state, x.due_on), (EscalationState::AtPolice, Some(d(2026, 3, 25))));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn businesses_are_inspected_listed_when_due_and_linked_to_sites() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (qn, a, b) = province(db).await;
        let nb = |name: &str, unit: &Unit, line| NewBusiness {
            name: name.into(),
            line,
            certificate_no: "123/GCN".into(),
            certificate_on: Some(d(2024, 5, 1)),
            address: "Đường 1".into(),
            unit_id: unit.id,
            location: None,
        };
        let k = businesses::create(
            db,
            &nb("Karaoke Ánh Sao", &a, BusinessLine::Karaoke),
            None,
            entry("business.create"),
        )
        .await
        .unwrap();
        let m =
            businesses::create(db, &nb("Massage Hoa", &a, BusinessLine::Massage), None, None).await.unwrap();
        let h = businesses::create(db, &nb("Nhà nghỉ Bình An", &b, BusinessLine::Accommodation), None, None)
            .await
            .unwrap();
        let scope_a = Scope::Commune(a.id);
        let insp = |on| NewInspection {
            kind: InspectionKind::Planned,
            on,
            findings: "Đủ điều kiện".into(),
            violations: String::new(),
            sanctions: String::new(),
        };
        businesses::add_inspection(db, k, scope_a, &insp(d(2026, 6, 1)), None, entry("business.inspect"))
            .await
            .unwrap();
        let mut late = insp(d(2025, 1, 10));
        late.violations = "Không ghi sổ lưu trú".into();
        late.kind = InspectionKind::AdHoc;
        businesses::add_inspection(db, m, scope_a, &late, None, None).await.unwrap();
        // An unknown business, or one out of scope, is refused.
        let e = businesses::add_inspection(db, 999_999, scope_a, &insp(d(2026, 1, 1)), None, None)
            .await
            .unwrap_err();
        assert!(matches!(e, BusinessError::UnknownBusiness));
        let e =
            businesses::add_inspection(db, h, scope_a, &insp(d(2026, 1, 1)), None, None).await.unwrap_err();
        assert!(matches!(e, BusinessError::UnknownBusiness));
        let got = businesses::get(db, k, scope_a).await.unwrap().unwrap();
        assert_eq!((got.last_inspected_on, got.inspections), (Some(d(2026, 6, 1)), 1));
        // Due within 12 months of 2026-11-15: the massage (last 2025-01) and the hotel (never).
        let f = BusinessFilter {
            not_inspected_since: Some(inspection_cutoff(d(2026, 11, 15), 12)),
            ..Default::default()
        };
        let (due, n) = businesses::list(db, Scope::Province(qn.id), &f).await.unwrap();
        let mut ids: Vec<_> = due.iter().map(|b| b.id).collect();
        ids.sort_unstable();
        assert_eq!((ids, n), (vec![m, h], 2));
        let (in_a, _) = businesses::list(db, scope_a, &BusinessFilter::default()).await.unwrap();
        assert_eq!(in_a.len(), 2);
        let list = businesses::inspections(db, m).await.unwrap();
        assert!(list[0].violation_found);
        // Links to sites in scope.
        let site = sites::create(
            db,
            &NewSite {
                kind: SiteKind::RiskPoint,
                hot_spot: false,
                name: "Karaoke Ánh Sao".into(),
                description: String::new(),
                address: String::new(),
                unit_id: a.id,
                location: LatLon::new(15.12, 108.80).unwrap(),
                business_ref: None,
                found_how: String::new(),
                responsible_user_id: None,
                state: SiteState::Listed,
                on: d(2026, 1, 1),
                note: String::new(),
            },
            None,
            None,
        )
        .await
        .unwrap();
        businesses::link_site(db, k, site, scope_a, None, entry("business.link_site")).await.unwrap();
        businesses::link_site(db, k, site, scope_a, None, None).await.unwrap();
        assert_eq!(businesses::sites_of(db, k).await.unwrap().len(), 1);
        let e = businesses::link_site(db, k, 999_999, scope_a, None, None).await.unwrap_err();
        assert!(matches!(e, BusinessError::UnknownSite));
        t.cleanup().await;
    }
}
