//! The demo council's profile, built into the fuzz targets that judge input by its rules.

use std::sync::LazyLock;

use doorstep_server::profile::Profile;

pub static DURHAM: LazyLock<Profile> = LazyLock::new(|| {
    Profile::from_json(
        include_str!("../../assets/councils/durham/council.json"),
        include_str!("../../assets/councils/durham/services.json"),
        include_str!("../../assets/councils/durham/gazetteer.json"),
    )
    .expect("the demo council's profile loads")
});
