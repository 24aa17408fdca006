package main

import (
	"archive/tar"
	"bytes"
	"encoding/pem"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

const (
	// Entrypoint is where the binary lives in the image.
	Entrypoint = "/usr/local/bin/go-service"
	// CABundle is Go's default root file on Linux (crypto/x509 root_linux.go), so no SSL_CERT_FILE is needed.
	CABundle = "/etc/ssl/certs/ca-certificates.crt"
	// User is the chart's runAsUser/runAsGroup (distroless's nonroot).
	User = "65532:65532"
)

// Spec is everything the image is built from; equal specs give equal digests.
type Spec struct {
	Revision string
	Source   string
	Created  time.Time
	// Binaries maps "linux/<arch>" to a static binary for that platform.
	Binaries map[string]string
}

// Index builds one image per platform, in platform order, under an OCI image index.
func Index(spec Spec) (v1.ImageIndex, error) {
	var index v1.ImageIndex = mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	platforms := make([]string, 0, len(spec.Binaries))
	for p := range spec.Binaries {
		platforms = append(platforms, p)
	}
	slices.Sort(platforms)
	for _, p := range platforms {
		img, err := Image(spec, p)
		if err != nil {
			return nil, err
		}
		arch := strings.TrimPrefix(p, "linux/")
		index = mutate.AppendManifests(index, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}},
		})
	}
	return mutate.Annotations(index, labels(spec)).(v1.ImageIndex), nil
}

// Image is the image for one platform: empty base, one layer, nonroot, labelled with the source commit.
func Image(spec Spec, platform string) (v1.Image, error) {
	binary, err := os.ReadFile(spec.Binaries[platform])
	if err != nil {
		return nil, err
	}
	layerTar, err := rootfs(binary, spec.Created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:   layer,
		History: v1.History{Created: v1.Time{Time: spec.Created}, CreatedBy: "service/cmd/build-image", Comment: spec.Revision},
	})
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", strings.TrimPrefix(platform, "linux/")
	cfg.Created = v1.Time{Time: spec.Created}
	cfg.Config = v1.Config{
		User:       User,
		Entrypoint: []string{Entrypoint},
		Env:        []string{"PATH=/usr/local/bin"},
		WorkingDir: "/",
		Labels:     labels(spec),
	}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, err
	}
	return mutate.Annotations(img, labels(spec)).(v1.Image), nil
}

func labels(spec Spec) map[string]string {
	l := map[string]string{
		"org.opencontainers.image.title":    "go-service",
		"org.opencontainers.image.revision": spec.Revision,
		"org.opencontainers.image.created":  spec.Created.Format(time.RFC3339),
	}
	if spec.Source != "" {
		l["org.opencontainers.image.source"] = spec.Source
	}
	return l
}

// rootfs is the layer: directories, /etc/passwd and /etc/group for nonroot, the CA bundle and the binary, in a
// fixed order with fixed owners and timestamps.
func rootfs(binary []byte, created time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	entry := func(name string, mode int64, body []byte) error {
		h := &tar.Header{Name: name, Mode: mode, ModTime: created, Format: tar.FormatPAX, Typeflag: tar.TypeReg, Size: int64(len(body))}
		if name == "home/nonroot/" {
			h.Uid, h.Gid = 65532, 65532
		}
		if strings.HasSuffix(name, "/") {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		_, err := tw.Write(body)
		return err
	}
	for _, e := range []struct {
		name string
		mode int64
		body []byte
	}{
		{"etc/", 0o755, nil},
		{"etc/group", 0o644, []byte("root:x:0:\nnonroot:x:65532:\n")},
		{"etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		{"etc/ssl/", 0o755, nil},
		{"etc/ssl/certs/", 0o755, nil},
		{strings.TrimPrefix(CABundle, "/"), 0o644, caBundle()},
		{"home/", 0o755, nil},
		{"home/nonroot/", 0o700, nil},
		{"tmp/", 0o1777, nil},
		{"usr/", 0o755, nil},
		{"usr/local/", 0o755, nil},
		{"usr/local/bin/", 0o755, nil},
		{strings.TrimPrefix(Entrypoint, "/"), 0o755, binary},
	} {
		if err := entry(e.name, e.mode, e.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// caBundle is the Mozilla NSS root store pinned by go.sum (golang.org/x/crypto/x509roots/fallback), so the bundle
// does not depend on the build machine. Roots with extra constraints (distrust-after dates) cannot be expressed in
// a PEM file and are left out rather than trusted without them.
func caBundle() []byte {
	var b bytes.Buffer
	for root := range bundle.Roots() {
		if root.Constraint == nil {
			_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: root.Certificate})
		}
	}
	return b.Bytes()
}
