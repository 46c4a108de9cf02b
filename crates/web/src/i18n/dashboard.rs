//! The dashboard. (key, Vietnamese, English).

pub(super) static ENTRIES: &[(&str, &str, &str)] = &[
    ("dash.title", "Tổng quan địa bàn", "Overview"),
    ("dash.communes", "Xã, phường, đặc khu", "Communes and wards"),
    ("dash.legacy_communes", "Đơn vị cũ (trước 1/7/2025) quy về", "Legacy units mapped in"),
    ("dash.population", "Dân số", "Population"),
    ("dash.persons", "Người có hồ sơ quản lý", "Persons with management records"),
    ("dash.map", "Dân số theo xã", "Population by commune"),
    ("dash.map_label", "Bản đồ dân số theo xã, phường", "Map of population by commune"),
    ("dash.chart", "Xã, phường đông dân nhất", "Most populous communes"),
    ("dash.population_year", "Dân số năm", "Population in"),
];
