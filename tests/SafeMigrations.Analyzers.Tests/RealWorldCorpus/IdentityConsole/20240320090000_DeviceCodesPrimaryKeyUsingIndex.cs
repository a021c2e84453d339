using System;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SafeMigrations;
using IdentityConsole.EntityFramework;

#nullable disable

namespace IdentityConsole.EntityFramework.PostgreSQL.Migrations
{
    /// <inheritdoc />
    [DbContext(typeof(ConfigurationDbContext))]
    [Migration("20240320090000_DeviceCodesPrimaryKeyUsingIndex")]
    public partial class DeviceCodesPrimaryKeyUsingIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndexConcurrently(
                name: "PK_DeviceCodes",
                table: "DeviceCodes",
                columns: new[] { "DeviceCode" },
                unique: true);

            migrationBuilder.AddPrimaryKeyUsingIndex(
                name: "PK_DeviceCodes",
                table: "DeviceCodes",
                column: "DeviceCode");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
