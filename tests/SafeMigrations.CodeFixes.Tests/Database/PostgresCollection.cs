using SafeMigrations.Testing;

namespace SafeMigrations.CodeFixes.Tests.Database;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres";
}
