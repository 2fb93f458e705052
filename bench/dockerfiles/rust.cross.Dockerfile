# (c) the cross pattern: the build stage runs on $BUILDPLATFORM; cargo cross-compiles with
# Debian's gcc-<triple> as linker and the target's std (local/rust-cross, bench/images.sh).
# (the automatic platform ARGs are set for FROM lines; declaring them here would reset them)
FROM --platform=$BUILDPLATFORM local/rust-cross:${BUILDARCH} AS build
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
RUN case "$TARGETPLATFORM" in \
      linux/amd64) T=x86_64-unknown-linux-gnu L=gcc ;; \
      linux/arm64) T=aarch64-unknown-linux-gnu L=aarch64-linux-gnu-gcc ;; \
      linux/arm/v7) T=armv7-unknown-linux-gnueabihf L=arm-linux-gnueabihf-gcc ;; \
      linux/riscv64) T=riscv64gc-unknown-linux-gnu L=riscv64-linux-gnu-gcc ;; \
      *) echo "no target for $TARGETPLATFORM" >&2; exit 1 ;; \
    esac; \
    export "CARGO_TARGET_$(echo "$T" | tr a-z- A-Z_)_LINKER=$L"; \
    cargo build --locked --release --target "$T" --bin rust-service && install -D "target/$T/release/rust-service" /out/rust-service

FROM scratch
COPY --from=build /out/rust-service /usr/local/bin/rust-service
ENTRYPOINT ["/usr/local/bin/rust-service"]
