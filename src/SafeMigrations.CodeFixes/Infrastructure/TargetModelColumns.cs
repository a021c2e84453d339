using System;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>A column as the migration's target model maps it.</summary>
    internal sealed class TargetColumn
    {
        public TargetColumn(string columnType, bool isRequired, ITypeSymbol? clrType)
        {
            ColumnType = columnType;
            IsRequired = isRequired;
            ClrType = clrType;
        }

        /// <summary>The property's CLR type (<c>Property&lt;T&gt;</c>), when it resolves.</summary>
        public ITypeSymbol? ClrType { get; }

        /// <summary>The store type (<c>HasColumnType</c>), e.g. <c>bigint</c> or <c>character varying(200)</c>.</summary>
        public string ColumnType { get; }

        /// <summary><c>.IsRequired()</c>, or a non-nullable value type property: the column is NOT NULL.</summary>
        public bool IsRequired { get; }
    }

    /// <summary>
    /// Reads column facts from the migration's target model: the <c>BuildTargetModel</c> method EF writes into the
    /// <c>.Designer.cs</c> partial class (<c>modelBuilder.Entity("...", b =&gt; { b.Property&lt;long&gt;("X").HasColumnType("bigint"); b.ToTable("T"); })</c>).
    /// </summary>
    internal static class TargetModelColumns
    {
        /// <summary>
        /// The column <paramref name="column"/> of table <paramref name="table"/> (schema <paramref name="schema"/>, null =
        /// default) in the target model of the migration class that contains <paramref name="node"/>; null when the
        /// class has no target model, the column is not mapped there, or its type is not written out.
        /// </summary>
        public static TargetColumn? Find(SemanticModel model, SyntaxNode node, string table, string? schema, string column, CancellationToken cancellationToken)
        {
            var classSyntax = node.AncestorsAndSelf().OfType<ClassDeclarationSyntax>().FirstOrDefault();
            if (classSyntax is null || !(model.GetDeclaredSymbol(classSyntax, cancellationToken) is INamedTypeSymbol type))
            {
                return null;
            }

            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                if (!(reference.GetSyntax(cancellationToken) is ClassDeclarationSyntax part))
                {
                    continue;
                }

                foreach (var method in part.Members.OfType<MethodDeclarationSyntax>())
                {
                    if (method.Identifier.ValueText != "BuildTargetModel")
                    {
                        continue;
                    }

                    var partModel = part.SyntaxTree == model.SyntaxTree ? model : model.Compilation.GetSemanticModel(part.SyntaxTree);
                    foreach (var entity in method.DescendantNodes().OfType<InvocationExpressionSyntax>())
                    {
                        if (IsEntityWithBody(entity, out var body) && MapsTable(body, table, schema)
                            && FindProperty(partModel, body, column, cancellationToken) is { } found)
                        {
                            return found;
                        }
                    }
                }
            }

            return null;
        }

        /// <summary><c>modelBuilder.Entity("Name", b =&gt; { ... })</c>.</summary>
        private static bool IsEntityWithBody(InvocationExpressionSyntax invocation, out SyntaxNode body)
        {
            body = invocation;
            if (MigrationSyntax.MethodName(invocation) != "Entity")
            {
                return false;
            }

            var lambda = invocation.ArgumentList.Arguments.Select(a => a.Expression).OfType<LambdaExpressionSyntax>().FirstOrDefault();
            if (lambda is null)
            {
                return false;
            }

            body = lambda.Body;
            return true;
        }

        /// <summary>The entity body calls <c>b.ToTable("table")</c> or <c>b.ToTable("table", "schema")</c>.</summary>
        private static bool MapsTable(SyntaxNode body, string table, string? schema)
        {
            foreach (var call in DirectCalls(body))
            {
                if (MigrationSyntax.MethodName(call) != "ToTable" || call.ArgumentList.Arguments.Count == 0)
                {
                    continue;
                }

                var arguments = call.ArgumentList.Arguments;
                var mappedSchema = arguments.Count > 1 ? StringLiteral(arguments[1].Expression) : null;
                if (StringLiteral(arguments[0].Expression) == table && string.Equals(mappedSchema, schema, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The <c>b.Property&lt;T&gt;("Name")...</c> chain mapped to <paramref name="column"/> (HasColumnName, else the property name).</summary>
        private static TargetColumn? FindProperty(SemanticModel model, SyntaxNode body, string column, CancellationToken cancellationToken)
        {
            foreach (var statement in body.DescendantNodesAndSelf().OfType<ExpressionStatementSyntax>())
            {
                // The chain's innermost call is b.Property<T>("Name"); the outer calls configure it.
                var calls = statement.Expression.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>().ToList();
                var property = calls.LastOrDefault(c => MigrationSyntax.MethodName(c) == "Property" && c.ArgumentList.Arguments.Count == 1);
                if (property is null || !ReferenceEquals(property, calls.Last()))
                {
                    continue;
                }

                var propertyName = StringLiteral(property.ArgumentList.Arguments[0].Expression);
                var columnName = ArgumentOf(calls, "HasColumnName") ?? propertyName;
                if (columnName != column)
                {
                    continue;
                }

                var columnType = ArgumentOf(calls, "HasColumnType");
                if (columnType is null)
                {
                    return null;
                }

                var required = calls.Any(c => MigrationSyntax.MethodName(c) == "IsRequired" && (c.ArgumentList.Arguments.Count == 0 || c.ArgumentList.Arguments[0].Expression.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.TrueLiteralExpression)))
                               || IsNonNullableValueType(model, property, cancellationToken);
                return new TargetColumn(columnType, required, ClrTypeOf(model, property, cancellationToken));
            }

            return null;
        }

        private static bool IsNonNullableValueType(SemanticModel model, InvocationExpressionSyntax property, CancellationToken cancellationToken) =>
            ClrTypeOf(model, property, cancellationToken) is { IsValueType: true } type && type.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T;

        private static ITypeSymbol? ClrTypeOf(SemanticModel model, InvocationExpressionSyntax property, CancellationToken cancellationToken)
        {
            if (!(property.Expression is MemberAccessExpressionSyntax { Name: GenericNameSyntax generic }) || generic.TypeArgumentList.Arguments.Count != 1)
            {
                return null;
            }

            return model.GetTypeInfo(generic.TypeArgumentList.Arguments[0], cancellationToken).Type is { TypeKind: not TypeKind.Error } type ? type : null;
        }

        private static string? ArgumentOf(System.Collections.Generic.IEnumerable<InvocationExpressionSyntax> calls, string method)
        {
            var call = calls.FirstOrDefault(c => MigrationSyntax.MethodName(c) == method && c.ArgumentList.Arguments.Count >= 1);
            return call is null ? null : StringLiteral(call.ArgumentList.Arguments[0].Expression);
        }

        private static System.Collections.Generic.IEnumerable<InvocationExpressionSyntax> DirectCalls(SyntaxNode body) =>
            body.DescendantNodesAndSelf(n => !(n is LambdaExpressionSyntax) || n == body).OfType<InvocationExpressionSyntax>();

        private static string? StringLiteral(ExpressionSyntax expression)
        {
            while (expression is CastExpressionSyntax cast)
            {
                expression = cast.Expression;
            }

            return expression is LiteralExpressionSyntax literal && literal.Token.Value is string value ? value : null;
        }
    }
}
