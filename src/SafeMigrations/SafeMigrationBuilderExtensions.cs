using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace SafeMigrations;

/// <summary>
/// The safe steps of a PostgreSQL migration, as <see cref="MigrationBuilder"/> methods. Each adds ordinary
/// <see cref="SqlOperation"/>s carrying <c>SafeMigrations:*</c> annotations (<see cref="SafeMigrationsAnnotations"/>):
/// plain <c>dotnet ef database update</c> / <c>Database.Migrate()</c> runs the SQL all at once and reaches the same
/// end state; the SafeMigrations engine reads the annotations and runs each step with lock timeouts, retries, batches
/// and verification.
/// </summary>
/// <remarks>
/// <para>Names are passed unquoted, exactly as EF Core's own methods take them; every identifier is quoted in the SQL.
/// SQL fragments (<c>sql</c>, <c>set</c>, <c>where</c>, conversions) are inserted as written.</para>
/// <para>Each method returns a builder that stands for the whole step: <c>.InContractPhase()</c> and
/// <c>.Annotation(...)</c> apply to every operation of the step.</para>
/// </remarks>
public static partial class SafeMigrationBuilderExtensions
{
    // The steps are in Steps/, one file per family, each method next to its private helpers.
}
