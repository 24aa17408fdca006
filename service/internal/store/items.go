package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNotFound is returned when no item has the requested id.
var ErrNotFound = errors.New("not found")

// Item is one row of the items table.
type Item struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Items is the items table.
type Items struct{ Pool *pgxpool.Pool }

// Create inserts an item and returns it.
func (s Items) Create(ctx context.Context, name string) (Item, error) {
	it := Item{Name: name}
	err := s.Pool.QueryRow(ctx, "INSERT INTO items (name) VALUES ($1) RETURNING id, created_at", name).
		Scan(&it.ID, &it.CreatedAt)
	return it, err
}

// Get returns one item or ErrNotFound.
func (s Items) Get(ctx context.Context, id int64) (Item, error) {
	it := Item{ID: id}
	err := s.Pool.QueryRow(ctx, "SELECT name, created_at FROM items WHERE id = $1", id).Scan(&it.Name, &it.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return it, ErrNotFound
	}
	return it, err
}

// List returns up to limit items with an id greater than after, in id order (keyset pagination).
func (s Items) List(ctx context.Context, after int64, limit int) ([]Item, error) {
	rows, err := s.Pool.Query(ctx, "SELECT id, name, created_at FROM items WHERE id > $1 ORDER BY id LIMIT $2", after, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Item])
}

// Delete removes an item or returns ErrNotFound.
func (s Items) Delete(ctx context.Context, id int64) error {
	tag, err := s.Pool.Exec(ctx, "DELETE FROM items WHERE id = $1", id)
	if err == nil && tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return err
}
