using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using RenameColumn = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.RenameColumnFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

/// <summary>
/// A fixer that declines a diagnostic (it cannot rewrite that shape) offers no light bulb, instead of an action that
/// leaves the code as it was.
/// </summary>
public class DeclinedFixOffersNoActionTests
{
    [Fact]
    public Task RenameColumn_with_a_chained_annotation_offers_no_action()
    {
        // The fixer rewrites a RenameColumn statement only when the call is the whole statement.
        var source = Migration("""
                {|SM0011:migrationBuilder.RenameColumn(name: "Name", table: "Customers", newName: "FullName")|}
                    .Annotation("Relational:Comment", "renamed");
        """);
        return RenameColumn.VerifyCodeFixAsync(source, source);
    }
}
