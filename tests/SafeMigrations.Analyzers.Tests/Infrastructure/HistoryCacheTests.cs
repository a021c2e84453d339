using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Analyzers.Reading;
using SafeMigrations.Analyzers.Tests.Verifiers;
using Xunit;
using Xunit.Abstractions;

namespace SafeMigrations.Analyzers.Tests.Infrastructure;

/// <summary>
/// The schema history kept across compilations (Reading/HistoryCache): after one compilation has been analysed and a
/// file is edited, the next compilation's history reuses the unchanged migrations and equals, field by field, the
/// history read from scratch out of freshly parsed files.
/// </summary>
public sealed class HistoryCacheTests
{
    private readonly ITestOutputHelper _output;

    public HistoryCacheTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public static IEnumerable<object[]> Projects()
    {
        yield return new object[] { "Corpus" };
        foreach (var app in Directory.EnumerateDirectories(Path.Combine(AppContext.BaseDirectory, "RealWorldCorpus")).OrderBy(d => d, StringComparer.Ordinal))
        {
            yield return new object[] { Path.Combine("RealWorldCorpus", Path.GetFileName(app)) };
        }
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Warm_history_after_each_kind_of_edit_equals_the_history_read_cold(string project)
    {
        var files = Load(project);
        var edits = new List<(string Name, Func<List<(string Path, string Text)>, List<(string Path, string Text)>?> Apply)>
        {
            ("AlterColumn changed", EditAlterColumn),
            ("migration added", AddMigration),
            ("migration removed", RemoveMigration),
            ("Designer edited", EditDesigner),
            ("unrelated file edited", EditUnrelatedFile),
        };

        var applied = 0;
        foreach (var (name, apply) in edits)
        {
            var edited = apply(files);
            if (edited is null)
            {
                _output.WriteLine($"{project}: no file for '{name}'");
                continue;
            }

            applied++;
            var first = Compile(project, files);
            var firstHistory = History(first);
            var second = Edit(first, files, edited);
            var warm = History(second);
            var cold = History(Compile(project, edited));

            Assert.Equal(0, cold.Reused);
            Assert.True(warm.Reused > 0, $"{project}, {name}: nothing reused");
            var differences = Differences(cold, warm);
            Assert.True(differences.Count == 0, $"{project}, {name}: " + string.Join("; ", differences.Take(10)));
            _output.WriteLine($"{project}, {name}: {warm.Reused} of {warm.Migrations.Count()} reused, same as cold");
            GC.KeepAlive(firstHistory);
        }

        Assert.True(applied >= 3);
    }

    [Fact]
    public void An_edit_that_changes_an_earlier_migration_is_seen_by_the_next_compilation()
    {
        var files = new List<(string, string)> { ("Create.cs", CreateTable("text")), ("Alter.cs", AlterColumn) };
        var first = Compile("T", files);
        var alter = first.GetTypeByMetadataName("M.AlterName")!;
        Assert.Equal("text", History(first).Before(alter)!.Column(new TableName(null, "T"), "Name")!.StoreType);

        var edited = new List<(string, string)> { ("Create.cs", CreateTable("character varying(10)")), ("Alter.cs", AlterColumn) };
        var second = Edit(first, files, edited);
        var history = History(second);

        Assert.Equal("character varying(10)", history.Before(second.GetTypeByMetadataName("M.AlterName")!)!.Column(new TableName(null, "T"), "Name")!.StoreType);
        Assert.Equal(1, history.Reused);
    }

    [Fact]
    public void An_edit_of_another_file_reuses_every_migration_and_an_edit_of_a_migration_rereads_only_it()
    {
        var files = new List<(string, string)> { ("Create.cs", CreateTable("text")), ("Alter.cs", AlterColumn), ("Other.cs", "namespace M { public class Other { } }") };
        var first = Compile("T", files);
        Assert.Equal(0, History(first).Reused);

        var other = Edit(first, files, new List<(string, string)> { files[0], files[1], ("Other.cs", "namespace M { public class Other { public int X; } }") });
        Assert.Equal(2, History(other).Reused);

        var comment = Edit(first, files, new List<(string, string)> { (files[0].Item1, files[0].Item2 + "\n// edited\n"), files[1], files[2] });
        Assert.Equal(1, History(comment).Reused);
    }

    [Fact]
    public void A_new_type_named_like_a_name_in_a_migration_makes_that_migration_read_again()
    {
        // AddColumn<Guid> without a Designer: the store type comes from what Guid binds to.
        var addGuid = Migration("2", "AddKey", """migrationBuilder.AddColumn<Guid>(name: "Key", table: "T", nullable: false);""", "using System;");
        var then = Migration("3", "Later", """migrationBuilder.Sql("SELECT 1");""");
        var files = new List<(string, string)> { ("Create.cs", CreateTable("text")), ("Add.cs", addGuid), ("Later.cs", then), ("Other.cs", "namespace M { public class Other { } }") };
        var first = Compile("T", files);
        var table = new TableName(null, "T");
        Assert.Equal("uuid", History(first).Before(first.GetTypeByMetadataName("M.Later")!)!.Column(table, "Key")!.StoreType);

        // A struct M.Guid now hides System.Guid in the unchanged migration file; the other two spell no Guid.
        var shadowed = Edit(first, files, new List<(string, string)> { files[0], files[1], files[2], ("Other.cs", "namespace M { public class Other { } public struct Guid { } }") });
        var history = History(shadowed);
        Assert.Equal(2, history.Reused);
        Assert.Null(history.Before(shadowed.GetTypeByMetadataName("M.Later")!)!.Column(table, "Key")!.StoreType);
    }

    private static string CreateTable(string type) =>
        Migration("1", "Create", $$"""
            migrationBuilder.CreateTable(
                name: "T",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    Name = table.Column<string>(type: "{{type}}", nullable: true),
                },
                constraints: table => table.PrimaryKey("PK_T", x => x.Id));
            """, "using Microsoft.EntityFrameworkCore;", "public class C : DbContext { }");

    private static readonly string AlterColumn =
        Migration("9", "AlterName", """migrationBuilder.AlterColumn<string>(name: "Name", table: "T", type: "character varying(200)", nullable: true);""");

    /// <summary>A migration of context M.C in namespace M whose Up is <paramref name="up"/>.</summary>
    private static string Migration(string id, string name, string up, string usings = "", string besides = "") => $$"""
        {{usings}}
        using Microsoft.EntityFrameworkCore.Infrastructure;
        using Microsoft.EntityFrameworkCore.Migrations;
        namespace M
        {
            {{besides}}

            [DbContext(typeof(C))]
            [Migration("{{id}}")]
            public class {{name}} : Migration
            {
                protected override void Up(MigrationBuilder migrationBuilder)
                {
                    {{up}}
                }
            }
        }
        """;

    /// <summary>The history the analyzers use for <paramref name="compilation"/> (through the cross-compilation cache).</summary>
    private static SchemaHistory History(Compilation compilation) => MigrationCompilationState.Get(compilation)!.History;

    private static List<(string Path, string Text)> Load(string project) =>
        Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, project), "*.cs", SearchOption.AllDirectories)
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => (f, File.ReadAllText(f)))
            .ToList();

    private static CSharpCompilation Compile(string name, IEnumerable<(string Path, string Text)> files) =>
        CSharpCompilation.Create(
            name.Replace(Path.DirectorySeparatorChar, '.'),
            files.Select(f => Parse(f.Path, f.Text)),
            TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    private static SyntaxTree Parse(string path, string text) => CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(LanguageVersion.Latest), path: path);

    /// <summary>
    /// The next compilation as the IDE makes it: files whose text did not change keep their tree; changed files get a
    /// new tree, removed ones go, added ones come.
    /// </summary>
    private static Compilation Edit(Compilation compilation, List<(string Path, string Text)> before, List<(string Path, string Text)> after)
    {
        var old = before.ToDictionary(f => f.Path, f => f.Text);
        var now = after.ToDictionary(f => f.Path, f => f.Text);
        foreach (var tree in compilation.SyntaxTrees.ToList())
        {
            if (!now.TryGetValue(tree.FilePath, out var text))
            {
                compilation = compilation.RemoveSyntaxTrees(tree);
            }
            else if (text != old[tree.FilePath])
            {
                compilation = compilation.ReplaceSyntaxTree(tree, Parse(tree.FilePath, text));
            }
        }

        return compilation.AddSyntaxTrees(after.Where(f => !old.ContainsKey(f.Path)).Select(f => Parse(f.Path, f.Text)));
    }

    private static List<(string Path, string Text)>? Replace(List<(string Path, string Text)> files, int index, string text)
    {
        var copy = files.ToList();
        copy[index] = (files[index].Path, text);
        return copy;
    }

    private static bool IsMigrationFile((string Path, string Text) file) =>
        !file.Path.EndsWith(".Designer.cs", StringComparison.Ordinal) && file.Text.Contains("override void Up(", StringComparison.Ordinal);

    /// <summary>The first AlterColumn's column name changed (a different column is altered).</summary>
    private static List<(string Path, string Text)>? EditAlterColumn(List<(string Path, string Text)> files)
    {
        var index = files.FindIndex(f => IsMigrationFile(f) && Regex.IsMatch(f.Text, @"AlterColumn<\w+>\(\s*name: """));
        if (index < 0)
        {
            return null;
        }

        var text = files[index].Text;
        var at = text.IndexOf("name: \"", text.IndexOf("AlterColumn<", StringComparison.Ordinal), StringComparison.Ordinal) + "name: \"".Length;
        return Replace(files, index, text.Substring(0, at) + "EditedByTest" + text.Substring(text.IndexOf('"', at)));
    }

    /// <summary>A copy of a middle migration (class renamed, id just after the original's) added as a new file.</summary>
    private static List<(string Path, string Text)>? AddMigration(List<(string Path, string Text)> files)
    {
        var candidates = files.Where(f => IsMigrationFile(f) && f.Text.Contains("[Migration(\"", StringComparison.Ordinal)).ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var source = candidates[candidates.Count / 2];
        var text = Regex.Replace(source.Text, @"\[Migration\(""([^""]+)""\)\]", m => $"[Migration(\"{m.Groups[1].Value}_copy\")]");
        text = Regex.Replace(text, @"class (\w+)", m => "class " + m.Groups[1].Value + "Copy");
        var copy = files.ToList();
        copy.Add((source.Path.Replace(".cs", "_Copy.cs", StringComparison.Ordinal), text));
        return copy;
    }

    /// <summary>A middle migration's files (the migration and its Designer) removed.</summary>
    private static List<(string Path, string Text)>? RemoveMigration(List<(string Path, string Text)> files)
    {
        var migrations = files.Where(IsMigrationFile).ToList();
        if (migrations.Count < 3)
        {
            return null;
        }

        var removed = migrations[migrations.Count / 2].Path;
        var designer = removed.Replace(".cs", ".Designer.cs", StringComparison.Ordinal);
        return files.Where(f => f.Path != removed && f.Path != designer).ToList();
    }

    /// <summary>The first column type of the first Designer file changed.</summary>
    private static List<(string Path, string Text)>? EditDesigner(List<(string Path, string Text)> files)
    {
        var index = files.FindIndex(f => f.Path.EndsWith(".Designer.cs", StringComparison.Ordinal) && f.Text.Contains("HasColumnType(\"", StringComparison.Ordinal));
        if (index < 0)
        {
            return null;
        }

        var text = files[index].Text;
        var at = text.IndexOf("HasColumnType(\"", StringComparison.Ordinal) + "HasColumnType(\"".Length;
        return Replace(files, index, text.Substring(0, at) + "numeric(30,7)" + text.Substring(text.IndexOf('"', at)));
    }

    /// <summary>A file that is no migration (the DbContext, a model class) gets a comment.</summary>
    private static List<(string Path, string Text)>? EditUnrelatedFile(List<(string Path, string Text)> files)
    {
        var index = files.FindIndex(f => !f.Text.Contains(": Migration", StringComparison.Ordinal) && !f.Path.EndsWith(".Designer.cs", StringComparison.Ordinal));
        return index < 0 ? null : Replace(files, index, files[index].Text + "\n// edited\n");
    }

    /// <summary>Every difference between two histories, migration by migration (matched by name), field by field.</summary>
    private static List<string> Differences(SchemaHistory expected, SchemaHistory actual)
    {
        var differences = new List<string>();
        var actualByName = actual.Migrations.ToDictionary(m => m.ToDisplayString());
        var expectedNames = expected.Migrations.Select(m => m.ToDisplayString()).ToHashSet();
        differences.AddRange(actualByName.Keys.Where(n => !expectedNames.Contains(n)).Select(n => n + ": only in the warm history"));
        foreach (var migration in expected.Migrations)
        {
            var name = migration.ToDisplayString();
            if (!actualByName.TryGetValue(name, out var other))
            {
                differences.Add(name + ": missing");
                continue;
            }

            if (expected.Previous(migration)?.ToDisplayString() != actual.Previous(other)?.ToDisplayString())
            {
                differences.Add(name + ": previous migration differs");
            }

            CompareStates(name, expected.Before(migration)!, actual.Before(other)!, differences);
            var a = expected.Contribution(migration)!;
            var b = actual.Contribution(other)!;
            if (a.HasReadableUp != b.HasReadableUp || a.CreatesTables != b.CreatesTables || a.DependsOnOwnFilesOnly != b.DependsOnOwnFilesOnly || a.Steps.Length != b.Steps.Length)
            {
                differences.Add(name + ": contribution differs");
                continue;
            }

            // Each step's effect: the state before every step, as the rules ask for it.
            for (var i = 0; i <= a.Steps.Length; i++)
            {
                var stepIndex = i < a.Steps.Length ? a.Steps[i].Index : int.MaxValue;
                CompareStates($"{name} before step {i}", HistoryReader.Apply(expected.Before(migration)!, a.Steps, stepIndex), HistoryReader.Apply(actual.Before(other)!, b.Steps, stepIndex), differences);
            }
        }

        return differences;
    }

    private static void CompareStates(string at, SchemaState expected, SchemaState actual, List<string> differences)
    {
        if (expected.IndexesComplete != actual.IndexesComplete)
        {
            differences.Add(at + ": IndexesComplete");
        }

        if (!expected.Tables.Keys.ToHashSet().SetEquals(actual.Tables.Keys))
        {
            differences.Add(at + ": tables " + string.Join(",", expected.Tables.Keys) + " vs " + string.Join(",", actual.Tables.Keys));
            return;
        }

        foreach (var (table, columns) in expected.Tables)
        {
            var otherColumns = actual.Tables[table];
            if (columns is null || otherColumns is null)
            {
                if (columns != null || otherColumns != null)
                {
                    differences.Add($"{at}: {table} sure in one only");
                }

                continue;
            }

            var describe = (ColumnState c) => $"{c.StoreType}|{c.IsNullable}|{c.DefaultText}";
            var left = columns.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key + "=" + describe(c.Value));
            var right = otherColumns.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key + "=" + describe(c.Value));
            if (!left.SequenceEqual(right))
            {
                differences.Add($"{at}: columns of {table}: {string.Join(",", left)} vs {string.Join(",", right)}");
            }
        }

        var indexes = (SchemaState s) => s.Indexes.OrderBy(i => i.Key, StringComparer.Ordinal)
            .Select(i => i.Key + "@" + i.Value.Table + "(" + (i.Value.Columns.IsDefault ? "?" : string.Join(",", i.Value.Columns)) + ")");
        if (!indexes(expected).SequenceEqual(indexes(actual)))
        {
            differences.Add($"{at}: indexes {string.Join(",", indexes(expected))} vs {string.Join(",", indexes(actual))}");
        }
    }
}
