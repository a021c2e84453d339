using SafeMigrations.Testing;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>The "postgres" collection: its tests share one server (<see cref="PostgresServerFixture"/>), each with its own database.</summary>
    [CollectionDefinition(Name)]
    public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
    {
        public const string Name = "postgres";
    }
}
