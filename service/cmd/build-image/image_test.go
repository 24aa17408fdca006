package main

import (
	"archive/tar"
	"crypto/x509"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func spec(t *testing.T, revision string) Spec {
	dir := t.TempDir()
	bins := map[string]string{}
	for _, p := range []string{"linux/arm64", "linux/amd64"} {
		path := filepath.Join(dir, filepath.Base(p))
		if err := os.WriteFile(path, []byte("binary for "+p), 0o755); err != nil {
			t.Fatal(err)
		}
		bins[p] = path
	}
	return Spec{Revision: revision, Source: "https://github.com/example/platform", Created: time.Unix(1764633600, 0).UTC(), Binaries: bins}
}

func digest(t *testing.T, s Spec) string {
	idx, err := Index(s)
	if err != nil {
		t.Fatal(err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

func TestSameInputsSameDigest(t *testing.T) {
	a, b := digest(t, spec(t, "4f2a9c1")), digest(t, spec(t, "4f2a9c1")) // different temp paths, same bytes
	if a != b {
		t.Fatalf("two builds gave %s and %s", a, b)
	}
	if c := digest(t, spec(t, "5e3b0d2")); c == a {
		t.Fatal("another revision gave the same digest")
	}
}

func TestImageIsNonrootStaticWithCAsAndLabels(t *testing.T) {
	s := spec(t, "4f2a9c1")
	idx, _ := Index(s)
	manifest, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(manifest.Manifests) != 2 || manifest.Manifests[0].Platform.Architecture != "amd64" ||
		manifest.Manifests[1].Platform.Architecture != "arm64" {
		t.Fatalf("platforms %+v", manifest.Manifests)
	}
	if manifest.Annotations["org.opencontainers.image.revision"] != "4f2a9c1" {
		t.Fatalf("index annotations %v", manifest.Annotations)
	}
	img, err := idx.Image(manifest.Manifests[1].Digest)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := img.ConfigFile()
	if cfg.Config.User != "65532:65532" || cfg.Config.Entrypoint[0] != Entrypoint || cfg.Architecture != "arm64" ||
		cfg.Config.Labels["org.opencontainers.image.revision"] != "4f2a9c1" ||
		cfg.Config.Labels["org.opencontainers.image.source"] != s.Source || !cfg.Created.Time.Equal(s.Created) {
		t.Fatalf("config %+v", cfg)
	}
	layers, _ := img.Layers()
	if len(layers) != 1 {
		t.Fatalf("%d layers", len(layers))
	}
	rc, _ := layers[0].Uncompressed()
	defer rc.Close()
	files := map[string][]byte{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !h.ModTime.Equal(s.Created) {
			t.Errorf("%s has mtime %s", h.Name, h.ModTime)
		}
		files[h.Name], _ = io.ReadAll(tr)
	}
	if string(files["usr/local/bin/go-service"]) != "binary for linux/arm64" {
		t.Fatal("arm64 image lacks its binary")
	}
	if want := "nonroot:x:65532:65532:"; !strings.Contains(string(files["etc/passwd"]), want) {
		t.Fatalf("passwd %q", files["etc/passwd"])
	}
	n := 0
	for rest := files["etc/ssl/certs/ca-certificates.crt"]; ; n++ {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			t.Fatal(err)
		}
	}
	if n < 100 {
		t.Fatalf("CA bundle has %d certificates", n)
	}
}
