using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Engine.Loading
{
    /// <summary>
    /// Finds the application's DbContext in its compiled assembly and creates it the way design-time tools do: through
    /// an <see cref="IDesignTimeDbContextFactory{TContext}"/> when the app has one, else through a constructor taking
    /// <see cref="DbContextOptions{TContext}"/> (configured with the app's Npgsql provider), else a parameterless one.
    /// The connection string is always replaced by the one given, so a factory's placeholder never matters.
    /// </summary>
    public static class DbContextLoader
    {
        /// <summary>Assembly of the Npgsql EF Core provider, which the app brings (the engine does not reference it).</summary>
        public const string NpgsqlProviderAssembly = "Npgsql.EntityFrameworkCore.PostgreSQL";

        /// <summary>Loads <paramref name="assemblyPath"/> into the default load context and creates its context.</summary>
        /// <exception cref="EngineException">SM1007 when the assembly or context cannot be found; SM1001 when it cannot be created.</exception>
        public static DbContext Create(string assemblyPath, string? contextName, string connectionString)
        {
            Assembly assembly;
            try
            {
                assembly = Assembly.LoadFrom(assemblyPath);
            }
            catch (Exception exception) when (exception is System.IO.IOException || exception is BadImageFormatException)
            {
                throw new EngineException(EngineCodes.NotFound, $"cannot load the application assembly {assemblyPath}: {exception.Message}; pass the path of the built app (bin/<Configuration>/<tfm>/<App>.dll) with --assembly.", exception);
            }
            return Create(assembly, contextName, connectionString);
        }

        /// <summary>Creates the context defined in <paramref name="assembly"/>.</summary>
        /// <exception cref="EngineException">SM1007 when no (or no unique) context is found; SM1001 when it cannot be created.</exception>
        public static DbContext Create(Assembly assembly, string? contextName, string connectionString)
        {
            Type contextType = FindContextType(assembly, contextName);
            DbContext context;
            try
            {
                context = Instantiate(assembly, contextType, connectionString);
            }
            catch (TargetInvocationException exception) when (exception.InnerException is not null)
            {
                throw new EngineException(EngineCodes.Configuration, $"creating {contextType.Name} failed: {exception.InnerException.Message}; make it constructible at design time (an IDesignTimeDbContextFactory<{contextType.Name}> is the most reliable way).", exception.InnerException);
            }

            try
            {
                // Relational only: a non-relational provider fails here with a clear message.
                context.Database.SetConnectionString(connectionString);
            }
            catch (InvalidOperationException exception)
            {
                context.Dispose();
                throw new EngineException(EngineCodes.Configuration, $"{contextType.Name} is not configured with a relational provider ({exception.Message}); SafeMigrations needs UseNpgsql.", exception);
            }

            string? provider = context.Database.ProviderName;
            if (!string.Equals(provider, NpgsqlProviderAssembly, StringComparison.Ordinal))
            {
                context.Dispose();
                throw new EngineException(EngineCodes.Configuration, $"{contextType.Name} uses the provider {provider ?? "(none)"}; SafeMigrations supports PostgreSQL through {NpgsqlProviderAssembly} only.");
            }
            return context;
        }

        /// <summary>
        /// The context type to use: the one named (by simple or full name), or the only one, or the only one that has
        /// migrations in the assembly.
        /// </summary>
        /// <exception cref="EngineException">SM1007 listing the candidates.</exception>
        public static Type FindContextType(Assembly assembly, string? contextName)
        {
            Type[] types = LoadableTypes(assembly);
            var candidates = types
                .Where(t => !t.IsAbstract && !t.IsGenericTypeDefinition && typeof(DbContext).IsAssignableFrom(t))
                .Concat(types.SelectMany(FactoryContextTypes))
                .Distinct()
                .OrderBy(t => t.FullName, StringComparer.Ordinal)
                .ToList();
            if (candidates.Count == 0)
                throw new EngineException(EngineCodes.NotFound, $"no DbContext found in {assembly.GetName().Name}; pass the assembly that defines the DbContext and its migrations.");

            if (!string.IsNullOrWhiteSpace(contextName))
            {
                var named = candidates.Where(t => string.Equals(t.FullName, contextName, StringComparison.OrdinalIgnoreCase)).ToList();
                if (named.Count == 0)
                    named = candidates.Where(t => string.Equals(t.Name, contextName, StringComparison.OrdinalIgnoreCase)).ToList();
                if (named.Count == 1)
                    return named[0];
                throw new EngineException(EngineCodes.NotFound, $"{(named.Count == 0 ? "no" : "more than one")} DbContext named '{contextName}' in {assembly.GetName().Name}; the contexts are: {List(candidates)}.");
            }

            if (candidates.Count == 1)
                return candidates[0];

            // Several contexts: the one that owns migrations, when exactly one does.
            var withMigrations = candidates.Where(c => types.Any(t => typeof(Migration).IsAssignableFrom(t) && t.GetCustomAttribute<DbContextAttribute>()?.ContextType == c)).ToList();
            if (withMigrations.Count == 1)
                return withMigrations[0];
            throw new EngineException(EngineCodes.NotFound, $"{assembly.GetName().Name} defines several DbContexts: {List(candidates)}; choose one with --context (SafeMigrationsContext in MSBuild).");
        }

        private static string List(IEnumerable<Type> types) => string.Join(", ", types.Select(t => t.FullName));

        private static Type[] LoadableTypes(Assembly assembly)
        {
            try
            {
                return assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException exception)
            {
                return exception.Types.Where(t => t is not null).Select(t => t!).ToArray();
            }
        }

        private static IEnumerable<Type> FactoryContextTypes(Type type)
        {
            if (type.IsAbstract || type.IsGenericTypeDefinition)
                return Enumerable.Empty<Type>();
            return type.GetInterfaces()
                .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDesignTimeDbContextFactory<>))
                .Select(i => i.GetGenericArguments()[0]);
        }

        private static DbContext Instantiate(Assembly assembly, Type contextType, string connectionString)
        {
            Type factoryInterface = typeof(IDesignTimeDbContextFactory<>).MakeGenericType(contextType);
            Type? factoryType = LoadableTypes(assembly).FirstOrDefault(t => !t.IsAbstract && factoryInterface.IsAssignableFrom(t));
            if (factoryType is not null)
            {
                object factory = Activator.CreateInstance(factoryType)
                    ?? throw new EngineException(EngineCodes.Configuration, $"cannot create {factoryType.Name}.");
                MethodInfo create = factoryInterface.GetMethod(nameof(IDesignTimeDbContextFactory<DbContext>.CreateDbContext))!;
                return (DbContext)create.Invoke(factory, new object[] { Array.Empty<string>() })!;
            }

            Type typedOptions = typeof(DbContextOptions<>).MakeGenericType(contextType);
            ConstructorInfo? withOptions = contextType.GetConstructor(new[] { typedOptions }) ?? contextType.GetConstructor(new[] { typeof(DbContextOptions) });
            if (withOptions is not null)
            {
                var builder = (DbContextOptionsBuilder)Activator.CreateInstance(typeof(DbContextOptionsBuilder<>).MakeGenericType(contextType))!;
                UseNpgsql(builder, connectionString);
                return (DbContext)withOptions.Invoke(new object[] { builder.Options });
            }

            ConstructorInfo? parameterless = contextType.GetConstructor(Type.EmptyTypes);
            if (parameterless is not null)
                return (DbContext)parameterless.Invoke(Array.Empty<object>());

            throw new EngineException(EngineCodes.Configuration, $"cannot create {contextType.Name}: it has no constructor taking DbContextOptions<{contextType.Name}> and no parameterless one; add an IDesignTimeDbContextFactory<{contextType.Name}> to the app.");
        }

        /// <summary>Calls the app's <c>UseNpgsql(builder, connectionString, null)</c> without referencing the provider.</summary>
        private static void UseNpgsql(DbContextOptionsBuilder builder, string connectionString)
        {
            Assembly provider;
            try
            {
                provider = Assembly.Load(new AssemblyName(NpgsqlProviderAssembly));
            }
            catch (System.IO.IOException exception)
            {
                throw new EngineException(EngineCodes.Configuration, $"the app does not reference {NpgsqlProviderAssembly}; SafeMigrations supports PostgreSQL through it only.", exception);
            }

            MethodInfo? useNpgsql = provider.GetType("Microsoft.EntityFrameworkCore.NpgsqlDbContextOptionsBuilderExtensions")?
                .GetMethods(BindingFlags.Public | BindingFlags.Static)
                .FirstOrDefault(m =>
                {
                    if (m.Name != "UseNpgsql" || m.IsGenericMethodDefinition)
                        return false;
                    ParameterInfo[] parameters = m.GetParameters();
                    return parameters.Length == 3 && parameters[0].ParameterType == typeof(DbContextOptionsBuilder) && parameters[1].ParameterType == typeof(string);
                });
            if (useNpgsql is null)
                throw new EngineException(EngineCodes.Configuration, $"UseNpgsql(DbContextOptionsBuilder, string, Action) was not found in {NpgsqlProviderAssembly}; add an IDesignTimeDbContextFactory to the app.");
            useNpgsql.Invoke(null, new object?[] { builder, connectionString, null });
        }
    }
}
