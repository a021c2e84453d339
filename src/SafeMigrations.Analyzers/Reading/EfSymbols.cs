using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace SafeMigrations.Analyzers.Reading
{
    /// <summary>The EF Core (and SafeMigrations runtime) symbols the reader needs, resolved once per compilation.</summary>
    internal sealed class EfSymbols
    {
        public const string MigrationMetadataName = "Microsoft.EntityFrameworkCore.Migrations.Migration";
        public const string MigrationBuilderMetadataName = "Microsoft.EntityFrameworkCore.Migrations.MigrationBuilder";
        public const string OperationBuilderMetadataName = "Microsoft.EntityFrameworkCore.Migrations.Operations.Builders.OperationBuilder`1";
        public const string ColumnsBuilderMetadataName = "Microsoft.EntityFrameworkCore.Migrations.Operations.Builders.ColumnsBuilder";
        public const string MigrationAttributeMetadataName = "Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute";

        /// <summary>Matched by name: the analyzers never reference the runtime assembly.</summary>
        public const string ContractPhaseAttributeMetadataName = "SafeMigrations.ContractPhaseAttribute";
        public const string InContractPhaseMethodName = "InContractPhase";
        public const string PhaseAnnotation = "SafeMigrations:Phase";
        public const string ContractPhaseValue = "Contract";

        private EfSymbols(INamedTypeSymbol migration, INamedTypeSymbol migrationBuilder, INamedTypeSymbol? operationBuilder, INamedTypeSymbol? columnsBuilder, INamedTypeSymbol? contractPhaseAttribute, INamedTypeSymbol? migrationAttribute)
        {
            MigrationAttribute = migrationAttribute;
            Migration = migration;
            MigrationBuilder = migrationBuilder;
            OperationBuilder = operationBuilder;
            ColumnsBuilder = columnsBuilder;
            ContractPhaseAttribute = contractPhaseAttribute;
        }

        public INamedTypeSymbol Migration { get; }

        public INamedTypeSymbol MigrationBuilder { get; }

        public INamedTypeSymbol? OperationBuilder { get; }

        public INamedTypeSymbol? ColumnsBuilder { get; }

        public INamedTypeSymbol? ContractPhaseAttribute { get; }

        /// <summary>EF's <c>[Migration("id")]</c>.</summary>
        public INamedTypeSymbol? MigrationAttribute { get; }

        /// <summary>Null when the compilation does not reference EF Core Relational: then nothing is registered.</summary>
        [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0030:Do not use banned APIs", Justification = "The once-per-compilation resolution the ban points to.")]
        public static EfSymbols? Resolve(Compilation compilation)
        {
            var migration = compilation.GetTypeByMetadataName(MigrationMetadataName);
            var migrationBuilder = compilation.GetTypeByMetadataName(MigrationBuilderMetadataName);
            if (migration is null || migrationBuilder is null)
            {
                return null;
            }

            return new EfSymbols(
                migration,
                migrationBuilder,
                compilation.GetTypeByMetadataName(OperationBuilderMetadataName),
                compilation.GetTypeByMetadataName(ColumnsBuilderMetadataName),
                compilation.GetTypeByMetadataName(ContractPhaseAttributeMetadataName),
                compilation.GetTypeByMetadataName(MigrationAttributeMetadataName));
        }

        /// <summary>
        /// <paramref name="method"/> constructed with <paramref name="typeArguments"/>, once per compilation: the same
        /// <c>table.Column&lt;int&gt;</c> or <c>AddColumn&lt;string&gt;</c> recurs in every migration, and Roslyn builds a new
        /// substituted symbol on each <c>Construct</c>.
        /// </summary>
        public IMethodSymbol Construct(IMethodSymbol method, ImmutableArray<ITypeSymbol> typeArguments) =>
            _constructed.GetOrAdd(new ConstructedKey(method, typeArguments), key => key.Method.Construct(key.TypeArguments.ToArray()));

        private readonly ConcurrentDictionary<ConstructedKey, IMethodSymbol> _constructed = new ConcurrentDictionary<ConstructedKey, IMethodSymbol>();

        private readonly struct ConstructedKey : IEquatable<ConstructedKey>
        {
            public ConstructedKey(IMethodSymbol method, ImmutableArray<ITypeSymbol> typeArguments)
            {
                Method = method;
                TypeArguments = typeArguments;
            }

            public IMethodSymbol Method { get; }

            public ImmutableArray<ITypeSymbol> TypeArguments { get; }

            public bool Equals(ConstructedKey other)
            {
                if (!SymbolEqualityComparer.Default.Equals(Method, other.Method) || TypeArguments.Length != other.TypeArguments.Length)
                {
                    return false;
                }

                for (var i = 0; i < TypeArguments.Length; i++)
                {
                    // Including nullability: int? and int construct different methods.
                    if (!SymbolEqualityComparer.IncludeNullability.Equals(TypeArguments[i], other.TypeArguments[i]))
                    {
                        return false;
                    }
                }

                return true;
            }

            public override bool Equals(object? obj) => obj is ConstructedKey other && Equals(other);

            public override int GetHashCode()
            {
                var hash = SymbolEqualityComparer.Default.GetHashCode(Method);
                foreach (var type in TypeArguments)
                {
                    hash = (hash * 31) + SymbolEqualityComparer.Default.GetHashCode(type);
                }

                return hash;
            }
        }

        /// <summary>True when <paramref name="migration"/> or a base class below EF's <c>Migration</c> overrides <c>BuildTargetModel</c> (EF's <c>TargetModel</c> is then not null).</summary>
        public bool HasTargetModel(INamedTypeSymbol migration)
        {
            for (var type = migration; type != null && !SymbolEqualityComparer.Default.Equals(type, Migration); type = type.BaseType)
            {
                foreach (var member in type.GetMembers("BuildTargetModel"))
                {
                    if (member is IMethodSymbol { IsOverride: true })
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        /// <summary>The id of <c>[Migration("id")]</c> on <paramref name="type"/>, or null when it has none.</summary>
        public string? MigrationId(INamedTypeSymbol type)
        {
            foreach (var attribute in type.GetAttributes())
            {
                if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, MigrationAttribute)
                    && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string id)
                {
                    return id;
                }
            }

            return null;
        }

        public bool IsMigration(INamedTypeSymbol type)
        {
            for (var current = type.BaseType; current != null; current = current.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(current, Migration))
                {
                    return true;
                }
            }

            return false;
        }

        public bool IsMigrationBuilder(ITypeSymbol? type)
        {
            for (var current = type; current != null; current = current.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(current, MigrationBuilder))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>OperationBuilder&lt;T&gt; or a type derived from it (CreateTableBuilder, AlterOperationBuilder...).</summary>
        public bool IsOperationBuilder(ITypeSymbol? type)
        {
            if (OperationBuilder is null)
            {
                return false;
            }

            for (var current = type as INamedTypeSymbol; current != null; current = current.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, OperationBuilder))
                {
                    return true;
                }
            }

            return false;
        }

        public bool IsColumnsBuilder(ITypeSymbol? type) =>
            ColumnsBuilder != null && SymbolEqualityComparer.Default.Equals(type, ColumnsBuilder);

        /// <summary><c>Up</c> or <c>Down</c> overriding Migration's, taking a MigrationBuilder.</summary>
        public bool IsUpOrDown(IMethodSymbol method, out Model.MigrationDirection direction)
        {
            direction = method.Name == "Down" ? Model.MigrationDirection.Down : Model.MigrationDirection.Up;
            return (method.Name == "Up" || method.Name == "Down")
                   && method.IsOverride
                   && method.Parameters.Length == 1
                   && IsMigrationBuilder(method.Parameters[0].Type);
        }

        public bool IsContractPhaseAttribute(INamedTypeSymbol? attributeClass)
        {
            if (attributeClass is null)
            {
                return false;
            }

            if (ContractPhaseAttribute != null)
            {
                return SymbolEqualityComparer.Default.Equals(attributeClass, ContractPhaseAttribute);
            }

            return attributeClass.Name == "ContractPhaseAttribute"
                   && attributeClass.ContainingNamespace?.ToDisplayString() == "SafeMigrations";
        }
    }
}
