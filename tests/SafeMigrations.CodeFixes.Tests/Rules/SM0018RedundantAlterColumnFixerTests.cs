using System.Threading;
using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.HistorySource;
using Verify = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.RedundantAlterColumnFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

public class SM0018RedundantAlterColumnFixerTests
{
    private const string UpLine = """
                migrationBuilder.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: false, oldClrType: typeof(string), oldType: "text", oldNullable: true);
        """;

    private const string DownLine = """
                migrationBuilder.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: true, oldClrType: typeof(string), oldType: "text");
        """;

    [Fact]
    public Task Redundant_AlterColumn_is_removed_from_Up_and_its_undo_from_Down()
    {
        const string keptDown = """
                migrationBuilder.AlterColumn<string>(name: "Note", table: "Orders", type: "text", nullable: true, oldClrType: typeof(string), oldType: "text", oldNullable: true);
        """;
        var source = Migration("20240102000000_RequireStatus", "{|SM0018:" + UpLine.Trim().TrimEnd(';') + "|};", DownLine + "\n" + keptDown);
        var fixedSource = Migration("20240102000000_RequireStatus", string.Empty, keptDown).Replace("\n\n        }", "\n        }", System.StringComparison.Ordinal);
        var test = new Verify.Test();
        foreach (var state in new[] { test.TestState, test.FixedState, test.BatchFixedState })
        {
            state.Sources.Add(("/0/AppDbContext.cs", Context));
            state.Sources.Add(("/0/20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders)));
        }

        test.TestState.Sources.Add(("/0/20240102000000_RequireStatus.cs", source));
        test.FixedState.Sources.Add(("/0/20240102000000_RequireStatus.cs", fixedSource));
        test.BatchFixedState.Sources.Add(("/0/20240102000000_RequireStatus.cs", fixedSource));
        return test.RunAsync(CancellationToken.None);
    }
}
