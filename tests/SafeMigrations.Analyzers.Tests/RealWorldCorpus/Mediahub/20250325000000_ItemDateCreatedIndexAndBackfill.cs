using System;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SafeMigrations;
using Mediahub.Data;

#nullable disable

namespace Mediahub.Data.Migrations
{
    /// <inheritdoc />
    [DbContext(typeof(MediahubDbContext))]
    [Migration("20250325000000_ItemDateCreatedIndexAndBackfill")]
    public partial class ItemDateCreatedIndexAndBackfill : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndexConcurrently(
                name: "IX_BaseItems_DateCreated",
                table: "BaseItems",
                columns: new[] { "DateCreated" });

            migrationBuilder.Backfill(
                table: "BaseItems",
                column: "Path",
                value: "''",
                where: "\"Path\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
