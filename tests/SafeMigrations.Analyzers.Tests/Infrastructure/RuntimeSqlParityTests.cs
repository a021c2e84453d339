using System;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Tests.Verifiers;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;
using SafeMigrations.Testing.RuntimeSql;

namespace SafeMigrations.Analyzers.Tests.Infrastructure;

/// <summary>
/// The engine tests' run-time SQL (loaded from a resource, a file, a helper, interpolation), written here as constants:
/// all analyzers together report exactly the rules the engine applies to it at plan time, with the same messages.
/// </summary>
public sealed class RuntimeSqlParityTests
{
    public static TheoryData<string> Cases() => new(RuntimeSqlCases.All.Concat(RuntimeSqlCases.SchemaChanges).Select(c => c.Migration));

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Analyzers_flag_the_constant_form_with_the_engines_rules_and_messages(string migration)
    {
        RuntimeSqlCases.Case @case = RuntimeSqlCases.All.Concat(RuntimeSqlCases.SchemaChanges).Single(c => c.Migration == migration);
        var diagnostics = await Diagnostics(MigrationSource.Migration("            migrationBuilder.Sql(@\"" + @case.Sql.Replace("\"", "\"\"") + "\");"));

        Assert.Equal(@case.Rules, diagnostics.Select(d => d.Id).ToArray());
        // The shared judgement the engine calls gives the same findings, word for word.
        var shared = StatementScanner.Scan(@case.Sql).SelectMany(s => StatementRules.Judge(s)).ToList();
        Assert.Equal(shared.Select(f => f.Rule.Id + ": " + f.Message), diagnostics.Select(d => d.Id + ": " + d.GetMessage(CultureInfo.InvariantCulture)));
    }

    public static TheoryData<string> Scripts() => new(RuntimeSqlCases.Scripts.Select(s => s.Migration));

    /// <summary>
    /// The engine tests' scripts of several Sql(...) calls (Engine.Tests RuntimeSqlScriptTests plans the same calls built
    /// at run time): the analyzers report exactly the script's rules, with the shared rules' messages.
    /// </summary>
    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Analyzers_judge_a_script_of_calls_as_the_engine_plans_it(string migration)
    {
        RuntimeSqlCases.Script script = RuntimeSqlCases.Scripts.Single(s => s.Migration == migration);
        var calls = script.Calls.Select(c => "            migrationBuilder.Sql(@\"" + c.Sql.Replace("\"", "\"\"") + "\"" + (c.SuppressTransaction ? ", suppressTransaction: true" : string.Empty) + ")"
            + (c.Contract ? ".InContractPhase()" : string.Empty) + ";");
        var diagnostics = await Diagnostics(MigrationSource.Migration(string.Join("\n", calls)));

        Assert.Equal(script.Rules, diagnostics.Select(d => d.Id).ToArray());
        Assert.Equal(script.Messages(), diagnostics.Select(d => d.GetMessage(CultureInfo.InvariantCulture)));
    }

    private static async Task<System.Collections.Generic.List<Diagnostic>> Diagnostics(string source)
    {
        var compilation = CSharpCompilation.Create(
            "App",
            new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest)) },
            TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return (await compilation.WithAnalyzers(RuleAnalyzers.All).GetAnalyzerDiagnosticsAsync())
            .Where(d => d.Id.StartsWith("SM", StringComparison.Ordinal))
            .OrderBy(d => d.Location.SourceSpan.Start)
            .ToList();
    }
}
