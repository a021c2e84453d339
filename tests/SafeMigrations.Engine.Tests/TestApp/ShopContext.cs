using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace SafeMigrations.Engine.Tests.TestApp
{
    /// <summary>
    /// The test "application": a context whose migrations are written the way dotnet ef scaffolds them (named
    /// arguments, explicit types), without Designer target models. The loader creates it through the options
    /// constructor with UseNpgsql, as it would an app without a design-time factory.
    /// </summary>
    public sealed class ShopContext : DbContext
    {
        public ShopContext(DbContextOptions<ShopContext> options)
            : base(options)
        {
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
        {
            // No model snapshot in the test app: EF 9+ would refuse Migrate() over "pending model changes".
            optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        }
    }
}
