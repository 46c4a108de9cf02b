-- Plans (kế hoạch) with their targets, and the tasks (nhiệm vụ) a plan assigns with their
-- progress reports, reminders and inspections/guidance (issue 9, items 1-2). Same
-- version and shape as ../postgres/0014_plans_tasks.sql (SQLite names the VALUES
-- columns column1..column6).

-- A plan. Units are named by code, not id: the reference units are loaded after the
-- migrations, and a plan issued by a legacy province (Kon Tum, 62) keeps that code while
-- the current province that owns it today (Quảng Ngãi, 51) is named beside it. Both
-- codes are NULL for a national plan.
CREATE TABLE plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL,
    issuer TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    issuer_unit_code TEXT,
    owner_unit_code TEXT,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    baseline_on TEXT NOT NULL,
    title TEXT NOT NULL,
    CHECK (period_to >= period_from)
);
CREATE INDEX plans_owner ON plans (owner_unit_code);

-- A target: indicator (an id of diaban_domain::indicator), comparator and value, per
-- statistical year (`year`), by a deadline, or every year of the period (both NULL).
CREATE TABLE plan_targets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    position INTEGER NOT NULL,
    indicator TEXT NOT NULL,
    comparator TEXT NOT NULL CHECK (comparator IN ('ge', 'gt', 'le', 'lt')),
    value REAL NOT NULL,
    year INTEGER,
    deadline TEXT,
    note TEXT NOT NULL DEFAULT '',
    CHECK (year IS NULL OR deadline IS NULL)
);
CREATE INDEX plan_targets_of ON plan_targets (plan_id, position);

-- A task assigned by a plan. `unit_id` is the assignee's unit (a commune, or the
-- province for a department or agency) and decides scope; `agency` names the department
-- or agency when the assignee is not a commune's police, and `partner_user_id` is the
-- partner account that reports for it.
CREATE TABLE plan_tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    agency TEXT NOT NULL DEFAULT '',
    partner_user_id INTEGER REFERENCES users (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    assigned_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    frequency TEXT NOT NULL CHECK (frequency IN ('monthly', 'quarterly')),
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
    done_on TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX plan_tasks_plan ON plan_tasks (plan_id);
CREATE INDEX plan_tasks_unit ON plan_tasks (unit_id, state);
CREATE INDEX plan_tasks_partner ON plan_tasks (partner_user_id);

-- A progress report by the assignee.
CREATE TABLE plan_task_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL REFERENCES plan_tasks (id),
    on_date TEXT NOT NULL,
    percent INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
    body TEXT NOT NULL,
    by_user_id INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX plan_task_reports_of ON plan_task_reports (task_id, on_date);

-- What the provincial police did on a task: a reminder (đôn đốc) sent to the assignee,
-- an inspection (kiểm tra) or guidance (hướng dẫn) with its findings.
CREATE TABLE plan_task_supervision (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL REFERENCES plan_tasks (id),
    kind TEXT NOT NULL CHECK (kind IN ('reminder', 'inspection', 'guidance')),
    on_date TEXT NOT NULL,
    body TEXT NOT NULL,
    by_user_id INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX plan_task_supervision_of ON plan_task_supervision (task_id, on_date);

-- The example plans, editable like any other. KH 3220/KH-UBND of Kon Tum (25/9/2023),
-- owned today by Quảng Ngãi (51) after the 2025 merger; baseline on the day of issue.
INSERT INTO plans (number, issuer, issued_on, issuer_unit_code, owner_unit_code, period_from, period_to, baseline_on, title)
VALUES ('3220/KH-UBND', 'Ủy ban nhân dân tỉnh Kon Tum', '2023-09-25', '62', '51', '2023-09-25', '2025-12-14', '2023-09-25',
        'Kế hoạch giải quyết điểm, tụ điểm phức tạp về ma túy và chuyển hóa địa bàn trọng điểm, phức tạp về ma túy trên địa bàn tỉnh đến năm 2025');
INSERT INTO plan_targets (plan_id, position, indicator, comparator, value, year, deadline, note)
SELECT id, t.column1, t.column2, t.column3, t.column4, NULL, t.column5, t.column6
FROM plans, (VALUES
    (1, 't1_sites_change', 'le', -5.0, NULL, 'T1: điểm, tụ điểm giảm ít nhất 5% mỗi năm'),
    (2, 't2_hot_spots_eliminated', 'ge', 80.0, '2025-12-14', 'T2: triệt xóa ít nhất 80% điểm nóng đến năm 2025'),
    (3, 't3_areas_transformed', 'ge', 60.0, NULL, 'T3: ít nhất 60% địa bàn được lựa chọn được chuyển hóa'),
    (4, 't4_areas_not_relapsed', 'ge', 85.0, NULL, 'T4: ít nhất 85% địa bàn đã chuyển hóa không tái phức tạp'),
    (5, 't5_persons_reached', 'gt', 80.0, NULL, 'T5: trên 80% người có hồ sơ được tiếp cận dịch vụ'),
    (6, 't6_addicts_growth', 'lt', 1.0, NULL, 'T6: người nghiện tăng dưới 1% mỗi năm'),
    (7, 't6_problem_communes_growth', 'lt', 1.0, NULL, 'T6: xã có tệ nạn ma túy tăng dưới 1% mỗi năm')
) AS t
WHERE plans.number = '3220/KH-UBND';

-- The national targets to 2030 (Politburo conclusion 132-KL/TW, 2025) as a second
-- example: no issuing or owning unit (national). The issue date is a placeholder (the
-- start of the two-level local government) to be corrected by the administrator.
INSERT INTO plans (number, issuer, issued_on, issuer_unit_code, owner_unit_code, period_from, period_to, baseline_on, title)
VALUES ('132-KL/TW', 'Bộ Chính trị (mục tiêu quốc gia)', '2025-07-01', NULL, NULL, '2025-07-01', '2030-12-14', '2025-07-01',
        'Mục tiêu quốc gia về phòng, chống ma túy đến năm 2030 (ví dụ)');
INSERT INTO plan_targets (plan_id, position, indicator, comparator, value, year, deadline, note)
SELECT id, t.column1, t.column2, t.column3, t.column4, NULL, t.column5, t.column6
FROM plans, (VALUES
    (1, 'illegal_users_growth', 'lt', 1.0, NULL, 'Người sử dụng trái phép tăng dưới 1% mỗi năm'),
    (2, 't6_addicts_growth', 'lt', 1.0, NULL, 'Người nghiện tăng dưới 1% mỗi năm'),
    (3, 'addicts_counselled', 'ge', 80.0, NULL, 'Ít nhất 80% người nghiện được tư vấn'),
    (4, 'drug_free_communes', 'ge', 50.0, '2030-12-14', 'Ít nhất 50% xã không ma túy đến cuối năm 2030'),
    (5, 'sites_eliminated_share', 'ge', 100.0, NULL, '100% điểm, tụ điểm, điểm nguy cơ được phát hiện, triệt xóa')
) AS t
WHERE plans.number = '132-KL/TW';
