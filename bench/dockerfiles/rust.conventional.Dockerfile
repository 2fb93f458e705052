# (b) the conventional way (`FROM rust`, no BUILDPLATFORM): rustc runs as the target platform,
# under QEMU for every non-amd64 platform. local/rust:<arch> (bench/images.sh) is the
# offline stand-in for rust:1.96; the crates come from the fixture's vendor/ (.cargo/config.toml).
# (the automatic platform ARGs are set for FROM lines; declaring them here would reset them)
FROM local/rust:${TARGETARCH} AS build
WORKDIR /src
COPY . .
RUN cargo build --locked --release --bin rust-service && install -D target/release/rust-service /out/rust-service

# the runtime stage is left out of the comparison (no Debian image for every platform offline):
# the binary is exported as it is
FROM scratch
COPY --from=build /out/rust-service /usr/local/bin/rust-service
ENTRYPOINT ["/usr/local/bin/rust-service"]
