# (c) the cross pattern of Docker's multi-platform guide: the build stage runs on the builder's
# platform ($BUILDPLATFORM) and Go cross-compiles for $TARGETOS/$TARGETARCH.
# (the automatic platform ARGs are set for FROM lines; declaring them here would reset them)
FROM --platform=$BUILDPLATFORM local/golang:bookworm-${BUILDARCH} AS build
WORKDIR /src
COPY . .
ARG TARGETOS TARGETARCH TARGETVARIANT
ENV CGO_ENABLED=0 GOFLAGS=-mod=vendor
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} go build -trimpath -ldflags "-s -w" -o /out/go-service .

FROM scratch
COPY --from=build /out/go-service /usr/local/bin/go-service
ENTRYPOINT ["/usr/local/bin/go-service"]
