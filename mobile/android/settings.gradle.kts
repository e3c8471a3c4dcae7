// The Android build: the app, and the shared layer that the JVM tests also compile.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "doorstep"
include(":shared", ":app")
