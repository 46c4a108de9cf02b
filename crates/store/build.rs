// The migrations are embedded by `sqlx::migrate!`, which cannot tell cargo about new files
// on a stable toolchain: rebuild the crate whenever the migrations folder changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
