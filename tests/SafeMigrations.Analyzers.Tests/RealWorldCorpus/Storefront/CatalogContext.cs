using Microsoft.EntityFrameworkCore;

namespace Storefront.Catalog.Infrastructure
{
    /// <summary>A reference-shop-like catalog service: HiLo keys replaced by identity, pgvector embeddings, an outbox.</summary>
    public class CatalogContext : DbContext
    {
    }
}
