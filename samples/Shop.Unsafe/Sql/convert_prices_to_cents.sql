UPDATE "Products" SET "PriceCents" = "PriceCents" * 100;
