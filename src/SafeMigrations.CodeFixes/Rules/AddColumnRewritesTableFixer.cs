using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using SafeMigrations.Analyzers;
using SafeMigrations.CodeFixes.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// SM0004: add the column without anything that fills existing rows, then fill them in batches.
    /// <list type="bullet">
    /// <item>Volatile default (or any default before PostgreSQL 11): nullable column without default; the default set
    /// on the existing column (catalog only, for new rows); <c>Backfill</c> with <c>DEFAULT</c>; NOT NULL through a
    /// validated check.</item>
    /// <item>Serial: nullable integer column; its sequence (<c>&lt;table&gt;_&lt;column&gt;_seq</c>, owned by the column) as
    /// the default; backfill; NOT NULL — the same end state as <c>serial</c>.</item>
    /// <item>Identity: as serial with a temporary sequence, then <c>ADD GENERATED ... AS IDENTITY</c> (catalog only on
    /// a NOT NULL column), the identity restarted after the backfilled numbers, the temporary sequence dropped.</item>
    /// <item>Stored generated: PostgreSQL cannot add one without a rewrite. The closest rewrite-free form: a plain
    /// column computed by a one-way trigger (<c>CreateSyncTrigger</c> evaluating the expression over <c>NEW</c>),
    /// backfilled in batches; <c>Down</c> drops the trigger before the column.</item>
    /// </list>
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddColumnRewritesTableFixer)), Shared]
    public sealed class AddColumnRewritesTableFixer : MigrationFixer
    {
        private const string AddComment = "// Expand: add the column nullable, with nothing to compute for existing rows: PostgreSQL only writes the catalog.";
        private const string DefaultComment = "// Expand: rows inserted from now on get the default (set on an existing column: no rewrite).";
        private const string SequenceComment = "// Expand: a sequence numbers rows inserted from now on (a default set on an existing column: no rewrite).";
        private const string IdentityComment = "// Expand: make it an identity column (catalog only on a NOT NULL column), numbering on after the backfilled rows.";
        private const string GeneratedComment = "// Expand: a stored generated column cannot be added without a rewrite; the closest form is a plain column a trigger computes on every write.";

        private static readonly string[] ColumnFacts = { "type", "unicode", "maxLength", "fixedLength", "precision", "scale", "collation", "comment" };

        private enum Generation
        {
            None,
            Serial,
            Identity,
            IdentityAlways,
            Stored,
        }

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.AddColumnRewritesTable);

        protected override string Title => "Add the column without a rewrite, then backfill in batches";

        protected override string EquivalenceKey => RuleIdentifiers.AddColumnRewritesTable;

        private protected override void Fix(DocumentFix fix)
        {
            var downDrops = new List<(string Table, string? Schema, string Column, string FromColumn)>();
            fix.RewriteActions((call, statement, action) =>
            {
                if (action.Column is null)
                {
                    return null;
                }

                var table = statement.Table!;
                var header = SqlFix.AlterTableHeader(statement);
                var add = SqlCallRewrite.SqlCode(call.Receiver, new[] { header + SqlFix.PlainAddColumn(action) }, call.SuppressTransaction);
                var generation = action.Identity ? (SqlFix.IsIdentityAlways(action) ? Generation.IdentityAlways : Generation.Identity)
                    : action.Serial ? Generation.Serial
                    : action.GeneratedStored ? Generation.Stored
                    : Generation.None;
                var columnType = action.Serial ? SqlFix.SerialBaseType(action.DataType ?? "serial") : action.DataType ?? "bigint";
                string? setDefault = null;
                if (generation == Generation.None && action.DefaultExpression is { } expression)
                {
                    setDefault = SqlCallRewrite.SqlCode(call.Receiver, new[] { header + "ALTER COLUMN " + SqlFix.Quote(action.Column) + " SET DEFAULT " + expression.Trim() }, call.SuppressTransaction);
                }

                return Recipe(call.Receiver, table.Schema, table.Name, action.Column, generation, columnType, add, setDefault,
                    action.NotNull || generation != Generation.None && generation != Generation.Stored,
                    generation == Generation.Stored ? SqlFix.GeneratedExpression(action) : null, downDrops).ToList();
            });

            foreach (var call in fix.StepCalls("AddColumn"))
            {
                if (call.String("name") is { } column && call.String("table") is { } table)
                {
                    fix.ReplaceStatement(call.Statement, FixBuilder(call, table, column, downDrops));
                }
            }

            fix.AddRange(DropTriggersInDown(fix.Root, fix.Model, fix.Text, downDrops, fix.CancellationToken));
        }

        private static IEnumerable<string> FixBuilder(StepCall call, string table, string column, List<(string, string?, string, string)> downDrops)
        {
            var generation = Generation.None;
            var chain = new List<string>();
            foreach (var link in call.Chain)
            {
                var kind = GenerationOf(link);
                if (kind == Generation.None)
                {
                    chain.Add(link);
                }
                else
                {
                    generation = kind;
                }
            }

            var type = call.String("type");
            if (type != null && ColumnTypes.Normalize(type) is var normalized && (normalized == "serial" || normalized == "bigserial" || normalized == "smallserial"))
            {
                generation = generation == Generation.None ? Generation.Serial : generation;
                type = SqlFix.SerialBaseType(type);
            }

            if (call.HasValue("computedColumnSql") && call.Bool("stored") == true)
            {
                generation = Generation.Stored;
            }

            var set = new List<KeyValuePair<string, string>> { StepCall.Arg("nullable", "true") };
            if (type != null && type != call.String("type"))
            {
                set.Add(StepCall.Arg("type", CSharpCode.String(type)));
            }

            var add = StepCall.Render(call.Receiver, call.Method, call.TypeArgument,
                call.ArgumentsWith(set, "defaultValue", "defaultValueSql", "computedColumnSql", "stored"), chain);

            string? setDefault = null;
            if (generation == Generation.None && (call.HasValue("defaultValue") || call.HasValue("defaultValueSql")))
            {
                setDefault = SetDefaultCall(call, type);
            }

            var notNull = generation == Generation.Stored || generation == Generation.None ? call.IsNotNull : true;
            return Recipe(call.Receiver, call.String("schema"), table, column, generation, type ?? "bigint", add, setDefault, notNull,
                generation == Generation.Stored ? call.String("computedColumnSql") : null, downDrops);
        }

        /// <summary>The shared sequence of steps; table, schema and column are plain names.</summary>
        private static IEnumerable<string> Recipe(string receiver, string? schema, string table, string column, Generation generation, string columnType, string add, string? setDefault, bool notNull, string? generatedSql, List<(string, string?, string, string)> downDrops)
        {
            var tableCode = CSharpCode.String(table);
            var schemaCode = schema is null ? null : CSharpCode.String(schema);
            var qualified = SqlFix.Qualify(schema, table);
            var quotedColumn = SqlFix.Quote(column);
            yield return AddComment;
            yield return add;
            switch (generation)
            {
                case Generation.None:
                    if (setDefault != null)
                    {
                        yield return DefaultComment;
                        yield return setDefault;
                        foreach (var line in ColumnSteps.FillWithDefault(receiver, tableCode, schemaCode, column, notNull))
                        {
                            yield return line;
                        }
                    }
                    else if (notNull)
                    {
                        yield return ColumnSteps.NotNullComment;
                        yield return ColumnSteps.SetNotNull(receiver, tableCode, schemaCode, column);
                    }

                    break;

                case Generation.Serial:
                case Generation.Identity:
                case Generation.IdentityAlways:
                    var identity = generation != Generation.Serial;
                    // serial's own sequence name; the identity gets its own sequence, so ours is a temporary one.
                    var sequence = table + "_" + column + (identity ? "_fill_seq" : "_seq");
                    var qualifiedSequence = SqlFix.Qualify(schema, sequence);
                    yield return SequenceComment;
                    yield return SqlCallRewrite.SqlCode(receiver, new[]
                    {
                        // Not owned by the column when temporary: pg_get_serial_sequence must find the identity's sequence.
                        "CREATE SEQUENCE IF NOT EXISTS " + qualifiedSequence + " AS " + columnType + (identity ? string.Empty : " OWNED BY " + qualified + "." + quotedColumn),
                        "ALTER TABLE " + qualified + " ALTER COLUMN " + quotedColumn + " SET DEFAULT nextval(" + SqlFix.Literal(qualifiedSequence) + ")",
                    }, suppressTransaction: false);
                    foreach (var line in ColumnSteps.FillWithDefault(receiver, tableCode, schemaCode, column, notNull: true))
                    {
                        yield return line;
                    }

                    if (identity)
                    {
                        yield return IdentityComment;
                        yield return SqlCallRewrite.SqlCode(receiver, new[]
                        {
                            "ALTER TABLE " + qualified + " ALTER COLUMN " + quotedColumn + " DROP DEFAULT, ALTER COLUMN " + quotedColumn
                                + (generation == Generation.IdentityAlways ? " ADD GENERATED ALWAYS AS IDENTITY" : " ADD GENERATED BY DEFAULT AS IDENTITY"),
                            "SELECT setval(pg_get_serial_sequence(" + SqlFix.Literal(qualified) + ", " + SqlFix.Literal(column) + "), nextval(" + SqlFix.Literal(qualifiedSequence) + "))",
                            "DROP SEQUENCE " + qualifiedSequence,
                        }, suppressTransaction: false);
                    }

                    break;

                case Generation.Stored:
                    var expression = generatedSql ?? "NULL";
                    var fromColumn = SqlFix.FirstColumnName(expression) is { } first && first != column ? first : null;
                    yield return GeneratedComment;
                    if (fromColumn != null)
                    {
                        yield return StepCall.RenderLine(receiver, "CreateSyncTrigger",
                            ("table", tableCode), ("fromColumn", CSharpCode.String(fromColumn)), ("toColumn", CSharpCode.String(column)),
                            ("convertSql", CSharpCode.String(SqlFix.OverNewRow(expression))), ("schema", schemaCode));
                        downDrops.Add((table, schema, column, fromColumn));
                    }

                    yield return "// Backfill: existing rows get the computed value, in batches.";
                    yield return StepCall.RenderLine(receiver, "Backfill",
                        ("table", tableCode),
                        ("set", CSharpCode.String(quotedColumn + " = (" + expression + ")")),
                        ("where", CSharpCode.String(quotedColumn + " IS DISTINCT FROM (" + expression + ")")),
                        ("schema", schemaCode));
                    if (notNull)
                    {
                        yield return ColumnSteps.NotNullComment;
                        yield return ColumnSteps.SetNotNull(receiver, tableCode, schemaCode, column);
                    }

                    break;
            }
        }

        /// <summary><c>AlterColumn</c> that only sets the default: same facts before and after, nullable before and after.</summary>
        private static string SetDefaultCall(StepCall call, string? type)
        {
            var arguments = new List<KeyValuePair<string, string>>();
            foreach (var name in new[] { "name", "table", "schema" })
            {
                if (call.Code(name) is { } code)
                {
                    arguments.Add(StepCall.Arg(name, code));
                }
            }

            var facts = ColumnFacts.Select(f => (Name: f, Code: f == "type" && type != null ? CSharpCode.String(type) : call.Code(f))).Where(f => f.Code != null).ToList();
            arguments.AddRange(facts.Select(f => StepCall.Arg(f.Name, f.Code!)));
            arguments.Add(StepCall.Arg("nullable", "true"));
            foreach (var name in new[] { "defaultValue", "defaultValueSql" })
            {
                if (call.HasValue(name))
                {
                    arguments.Add(StepCall.Arg(name, call.Code(name)!));
                }
            }

            arguments.AddRange(facts.Select(f => StepCall.Arg("old" + char.ToUpperInvariant(f.Name[0]) + f.Name.Substring(1), f.Code!)));
            arguments.Add(StepCall.Arg("oldNullable", "true"));
            return StepCall.Render(call.Receiver, "AlterColumn", call.TypeArgument, arguments);
        }

        private static Generation GenerationOf(string link)
        {
            if (link.IndexOf("Npgsql:ValueGenerationStrategy", StringComparison.Ordinal) < 0)
            {
                return Generation.None;
            }

            var value = link.Replace(" ", string.Empty);
            if (value.Contains("IdentityAlwaysColumn") || value.EndsWith(")3)", StringComparison.Ordinal) || value.EndsWith(",3)", StringComparison.Ordinal))
            {
                return Generation.IdentityAlways;
            }

            if (value.Contains("IdentityByDefaultColumn") || value.EndsWith(")4)", StringComparison.Ordinal) || value.EndsWith(",4)", StringComparison.Ordinal))
            {
                return Generation.Identity;
            }

            if (value.Contains("SerialColumn") || value.EndsWith(")2)", StringComparison.Ordinal) || value.EndsWith(",2)", StringComparison.Ordinal))
            {
                return Generation.Serial;
            }

            return Generation.None;
        }

        /// <summary>In <c>Down</c>, the trigger computing a column is dropped before the column (PL/pgSQL bodies are not dependencies).</summary>
        private static IEnumerable<TextChange> DropTriggersInDown(SyntaxNode root, SemanticModel model, SourceText text, List<(string Table, string? Schema, string Column, string FromColumn)> drops, CancellationToken cancellationToken)
        {
            if (drops.Count == 0)
            {
                yield break;
            }

            var down = root.DescendantNodes().OfType<MethodDeclarationSyntax>().FirstOrDefault(m => m.Identifier.ValueText == "Down" && m.Body != null);
            if (down is null)
            {
                yield break;
            }

            foreach (var invocation in down.Body!.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (MigrationSyntax.MethodName(invocation) != "DropColumn"
                    || !(StepCall.Read(model, invocation, cancellationToken) is { } call))
                {
                    continue;
                }

                foreach (var drop in drops)
                {
                    if (call.String("name") == drop.Column && call.String("table") == drop.Table && call.String("schema") == drop.Schema)
                    {
                        yield return MigrationSyntax.InsertCommentsBefore(call.Statement, text, new[]
                        {
                            "// The trigger computing \"" + drop.Column + "\" goes first: it would fail on every write once the column is gone.",
                            StepCall.RenderLine(call.Receiver, "DropSyncTrigger",
                                ("table", CSharpCode.String(drop.Table)), ("fromColumn", CSharpCode.String(drop.FromColumn)),
                                ("toColumn", CSharpCode.String(drop.Column)), ("schema", drop.Schema is null ? null : CSharpCode.String(drop.Schema))),
                        });
                    }
                }
            }
        }
    }
}
