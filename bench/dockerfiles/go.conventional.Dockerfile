# (b) the conventional way (`FROM golang`, no BUILDPLATFORM): the build stage runs as the target
# platform, so on an amd64 builder every non-amd64 platform's compiler runs under QEMU.
# local/golang:bookworm-<arch> is the offline stand-in for golang:1.19 (amd64, arm64: Debian's
# golang-go, test/setup/buildkit.sh; arm, riscv64: the same Go 1.19.8 cross-built, bench/images.sh —
# FROM scratch without a shell, hence the exec form of RUN; the build is the same command).
# (the automatic platform ARGs are set for FROM lines; declaring them here would reset them)
FROM local/golang:bookworm-${TARGETARCH} AS build
WORKDIR /src
COPY . .
ENV CGO_ENABLED=0 GOFLAGS=-mod=vendor
RUN ["go", "build", "-trimpath", "-ldflags", "-s -w", "-o", "/out/go-service", "."]

FROM scratch
COPY --from=build /out/go-service /usr/local/bin/go-service
ENTRYPOINT ["/usr/local/bin/go-service"]
